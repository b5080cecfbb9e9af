import { open } from 'node:fs/promises';
import path from 'node:path';
import {
  DATABASES,
  DEFAULT_ANSWERS,
  QUESTION_FLAGS,
  TRANSPORTS,
  parseDatabase,
  parseDescription,
  parseTransports,
  type Answers,
} from '../answers.js';
import type { PromptObject } from 'prompts';
import type { CliArgs } from '../args.js';
import { CancelledError, CliError, ExitCode, usageError } from '../errors.js';
import { defaultDirFor, nameFromDir, validateName } from '../name.js';

export const DEFAULT_DIR = 'my-mcp-server';

export interface ResolvedAnswers {
  answers: Answers;
  /** The target directory as the user gave it (relative to cwd) or derived from the name. */
  dir: string;
}

/** What was given on the command line or in `--answers`, before any question is asked. */
interface Given {
  dir?: string;
  name?: string;
  description?: string;
  transports?: Answers['transports'];
  db?: Answers['db'];
}

/** A question as the `prompts` package takes it; its answer is returned. Cancelling throws CancelledError. */
export type Prompt = (question: PromptObject<'value'>) => Promise<unknown>;

/** What the interactive path talks to, injected so tests can drive it without a terminal. */
export interface AskIo {
  prompt?: Prompt;
  /** Throws (a CliError) when the directory cannot be the target: checked before any question about it. */
  checkTarget?: (dir: string) => Promise<void>;
  /** Where to say that an answer needs redoing (stderr by default). */
  warn?: (line: string) => void;
}

/**
 * Flags win over the answers file; what is still missing is asked (TTY), defaulted (`--yes`),
 * or reported as an error naming every missing flag (no TTY), so CI never hangs on a prompt.
 */
export async function resolveAnswers(args: CliArgs, interactive: boolean, io: AskIo = {}): Promise<ResolvedAnswers> {
  const given = { ...(args.answers ? await readAnswersFile(args.answers) : {}), ...fromFlags(args) };
  if (args.positionals.length > 1) throw usageError(`expected one target directory, got ${args.positionals.length}`);
  if (args.positionals[0] !== undefined) given.dir = args.positionals[0];

  if (!interactive && !args.yes) {
    const missing = missingAnswers(given);
    if (missing.length > 0) {
      throw usageError(
        `no terminal to ask questions: pass ${missing.join(', ')} (or --answers <file>, or --yes for defaults)`,
      );
    }
  }
  const answered = interactive && !args.yes ? await ask(given, io) : given;
  const name = validateName(answered.name ?? (answered.dir ? nameFromDir(path.basename(path.resolve(answered.dir))) : DEFAULT_DIR));
  return {
    dir: answered.dir ?? defaultDirFor(name),
    answers: {
      name,
      description: answered.description ?? DEFAULT_ANSWERS.description,
      transports: answered.transports ?? DEFAULT_ANSWERS.transports,
      db: answered.db ?? DEFAULT_ANSWERS.db,
    },
  };
}

function missingAnswers(given: Given): string[] {
  const missing: string[] = [];
  if (given.dir === undefined && given.name === undefined) missing.push(`[dir] or ${QUESTION_FLAGS.name}`);
  if (given.description === undefined) missing.push(QUESTION_FLAGS.description);
  if (given.transports === undefined) missing.push(QUESTION_FLAGS.transports);
  if (given.db === undefined) missing.push(QUESTION_FLAGS.db);
  return missing;
}

function fromFlags(args: CliArgs): Given {
  return {
    ...(args.name !== undefined && { name: validateName(args.name) }),
    ...(args.description !== undefined && { description: parseDescription(args.description) }),
    ...(args.transport !== undefined && { transports: parseTransports(args.transport) }),
    ...(args.db !== undefined && { db: parseDatabase(args.db) }),
  };
}

const ANSWER_FILE_KEYS = ['name', 'description', 'transport', 'transports', 'db'];

/** Far above any real answers file, far below what would hurt to read into memory. */
export const MAX_ANSWERS_BYTES = 64 * 1024;

async function readAnswersFile(file: string): Promise<Given> {
  const text = await readAnswersText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw usageError(`answers file ${file} is not valid JSON`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw usageError(`answers file ${file} must hold a JSON object`);
  }
  const record = data as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !ANSWER_FILE_KEYS.includes(key));
  if (unknown.length > 0) throw usageError(`answers file ${file} has unknown key "${unknown[0]}"`);
  const transports = record.transports ?? record.transport;
  return {
    ...(record.name !== undefined && { name: validateName(expectString(record.name, 'name', file)) }),
    ...(record.description !== undefined && { description: parseDescription(expectString(record.description, 'description', file)) }),
    ...(transports !== undefined && { transports: parseTransports(expectStringOrList(transports, 'transport', file)) }),
    ...(record.db !== undefined && { db: parseDatabase(expectString(record.db, 'db', file)) }),
  };
}

/**
 * The file's text, read only up to the size cap (a huge file is refused, not loaded). A UTF-8 byte
 * order mark, which some editors write, is dropped.
 */
async function readAnswersText(file: string): Promise<string> {
  const unreadable = (error: unknown) =>
    new CliError(`cannot read answers file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.noInput);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw unreadable(error);
  });
  try {
    const buffer = Buffer.alloc(MAX_ANSWERS_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length).catch((error: unknown) => {
        throw unreadable(error);
      });
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_ANSWERS_BYTES) throw usageError(`answers file ${file} is larger than ${MAX_ANSWERS_BYTES / 1024} KiB; it should hold a few answers`);
    }
    return buffer.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

function expectString(value: unknown, key: string, file: string): string {
  if (typeof value !== 'string') throw usageError(`answers file ${file}: "${key}" must be a string`);
  return value;
}

function expectStringOrList(value: unknown, key: string, file: string): string | string[] {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw usageError(`answers file ${file}: "${key}" must be a string or a list of strings`);
}

/** The `prompts` package on the real terminal. */
const terminalPrompt: Prompt = async (question) => {
  const { default: prompts } = await import('prompts');
  const onCancel = (): never => {
    throw new CancelledError();
  };
  const answer = await prompts(question, { onCancel });
  return answer.value;
};

async function ask(given: Given, io: AskIo): Promise<Given> {
  const prompt = io.prompt ?? terminalPrompt;
  const warn = io.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const checkTarget = io.checkTarget ?? (async () => undefined);
  const result = { ...given };
  // Nobody should answer every question to learn that the folder was never usable.
  if (result.dir !== undefined) await checkTarget(result.dir);
  if (result.dir === undefined && result.name === undefined) {
    const name = await prompt({
      type: 'text',
      name: 'value',
      message: 'Project name',
      initial: DEFAULT_DIR,
      // The name gives the folder: refuse a taken one here, while the user can still type another.
      validate: async (value: string) => {
        const problem = validateForPrompt(validateName)(value);
        if (problem !== true) return problem;
        return checkTarget(defaultDirFor(value)).then(
          () => true,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
      },
    });
    result.name = validateName(String(name));
    await checkTarget(defaultDirFor(result.name));
  }
  if (result.description === undefined) {
    const description = await prompt({
      type: 'text',
      name: 'value',
      message: 'Description',
      initial: DEFAULT_ANSWERS.description,
      validate: validateForPrompt(parseDescription),
    });
    result.description = parseDescription(String(description));
  }
  while (result.transports === undefined) {
    const transports = await prompt({
      type: 'multiselect',
      name: 'value',
      message: 'Transports',
      hint: 'space to toggle, enter to confirm',
      // The package's own instructions run into its error line ("Complete answerYou must…").
      instructions: false,
      choices: TRANSPORTS.map((value) => ({
        title: TRANSPORT_TITLES[value],
        value,
        selected: DEFAULT_ANSWERS.transports.includes(value),
      })),
    });
    if (Array.isArray(transports) && transports.length > 0) result.transports = parseTransports(transports as string[]);
    else warn('Pick at least one transport: space selects the highlighted one, enter confirms.');
  }
  if (result.db === undefined) {
    const db = await prompt({
      type: 'select',
      name: 'value',
      message: 'Database',
      choices: DATABASES.map((value) => ({ title: DATABASE_TITLES[value], value })),
      initial: DATABASES.indexOf(DEFAULT_ANSWERS.db),
    });
    result.db = parseDatabase(String(db));
  }
  return result;
}

const TRANSPORT_TITLES = {
  stdio: 'stdio (local clients: Claude Desktop, Cursor, VS Code)',
  http: 'Streamable HTTP (remote, stateless, behind a load balancer)',
  sse: 'legacy HTTP+SSE (for 2024-11-05 clients)',
} as const;

const DATABASE_TITLES = {
  none: 'none',
  postgres: 'PostgreSQL (embedded PGlite when DATABASE_URL is unset)',
} as const;

function validateForPrompt(check: (value: string) => unknown): (value: string) => true | string {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}

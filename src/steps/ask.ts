import { readFile } from 'node:fs/promises';
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

/**
 * Flags win over the answers file; what is still missing is asked (TTY), defaulted (`--yes`),
 * or reported as an error naming every missing flag (no TTY), so CI never hangs on a prompt.
 */
export async function resolveAnswers(args: CliArgs, interactive: boolean): Promise<ResolvedAnswers> {
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
  const answered = interactive && !args.yes ? await ask(given) : given;
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

async function readAnswersFile(file: string): Promise<Given> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read answers file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.noInput);
  }
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

function expectString(value: unknown, key: string, file: string): string {
  if (typeof value !== 'string') throw usageError(`answers file ${file}: "${key}" must be a string`);
  return value;
}

function expectStringOrList(value: unknown, key: string, file: string): string | string[] {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw usageError(`answers file ${file}: "${key}" must be a string or a list of strings`);
}

async function ask(given: Given): Promise<Given> {
  const { default: prompts } = await import('prompts');
  const onCancel = (): never => {
    throw new CancelledError();
  };
  const result = { ...given };
  if (result.dir === undefined && result.name === undefined) {
    const { name } = await prompts(
      { type: 'text', name: 'name', message: 'Project name', initial: DEFAULT_DIR, validate: validateForPrompt(validateName) },
      { onCancel },
    );
    result.name = name as string;
  }
  if (result.description === undefined) {
    const { description } = await prompts(
      { type: 'text', name: 'description', message: 'Description', initial: DEFAULT_ANSWERS.description, validate: validateForPrompt(parseDescription) },
      { onCancel },
    );
    result.description = parseDescription(description as string);
  }
  if (result.transports === undefined) {
    const { transports } = await prompts(
      {
        type: 'multiselect',
        name: 'transports',
        message: 'Transports',
        hint: 'space to toggle, enter to confirm',
        min: 1,
        choices: TRANSPORTS.map((value) => ({
          title: TRANSPORT_TITLES[value],
          value,
          selected: DEFAULT_ANSWERS.transports.includes(value),
        })),
      },
      { onCancel },
    );
    result.transports = parseTransports(transports as string[]);
  }
  if (result.db === undefined) {
    const { db } = await prompts(
      {
        type: 'select',
        name: 'db',
        message: 'Database',
        choices: DATABASES.map((value) => ({ title: DATABASE_TITLES[value], value })),
        initial: DATABASES.indexOf(DEFAULT_ANSWERS.db),
      },
      { onCancel },
    );
    result.db = parseDatabase(db as string);
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

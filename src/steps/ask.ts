import path from 'node:path';
import {
  DATABASES,
  DEFAULT_ANSWERS,
  QUESTION_FLAGS,
  TRANSPORTS,
  mergeLayers,
  parseDescription,
  parseLayer,
  type AnswerLayer,
  type AnswerSource,
  type Answers,
  type GivenAnswers,
  type MergedAnswers,
  type RawAnswers,
} from '../answers.js';
import { readAnswersFile } from '../answers-file.js';
import type { PromptObject } from 'prompts';
import type { CliArgs } from '../args.js';
import { CancelledError, CliError, isCliError, usageError } from '../errors.js';
import { defaultDirFor, nameFromDir, validateName } from '../name.js';

export { MAX_ANSWERS_BYTES } from '../answers-file.js';

export const DEFAULT_DIR = 'my-mcp-server';

export interface ResolvedAnswers {
  answers: Answers;
  /** The target directory as the user gave it (relative to cwd) or derived from the name. */
  dir: string;
  /** Which layer gave each answer (see PRECEDENCE in answers.ts). */
  sources: Record<keyof Answers | 'dir', AnswerSource>;
}

/** What answering reads from the command line: the flags that answer questions, the target, `--answers`, `--yes`. */
export type AnswerArgs = Pick<CliArgs, 'positionals' | 'name' | 'description' | 'transport' | 'db' | 'answers' | 'yes'>;

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
 * Gathers the answers in layers, merged by PRECEDENCE: flags, then the answers file; what they left
 * is asked (terminal), defaulted (`--yes`), or reported as an error naming every missing flag (no
 * terminal), so CI never hangs on a prompt.
 */
export async function resolveAnswers(args: AnswerArgs, interactive: boolean, io: AskIo = {}): Promise<ResolvedAnswers> {
  const layers: AnswerLayer[] = [flagsLayer(args)];
  if (args.answers !== undefined) layers.push(await readAnswersFile(args.answers));
  const given = mergeLayers(layers).values;

  if (!interactive && !args.yes) {
    const missing = missingAnswers(given);
    if (missing.length > 0) {
      throw usageError(
        `no terminal to ask questions: pass ${missing.join(', ')} (or --answers <file>, or --yes for defaults)`,
      );
    }
  }
  if (interactive && !args.yes) layers.push(await ask(given, io));
  layers.push(defaultsLayer(mergeLayers(layers).values));
  return resolved(mergeLayers(layers));
}

/** The command line: the options and the target directory. */
function flagsLayer(args: Omit<AnswerArgs, 'answers' | 'yes'>): AnswerLayer {
  if (args.positionals.length > 1) throw usageError(`expected one target directory, got ${args.positionals.length}`);
  const layer = parseLayer('flags', {
    ...(args.name !== undefined && { name: args.name }),
    ...(args.description !== undefined && { description: args.description }),
    ...(args.transport !== undefined && { transports: args.transport }),
    ...(args.db !== undefined && { db: args.db }),
  });
  const dir = args.positionals[0];
  return dir === undefined ? layer : { ...layer, values: { ...layer.values, dir } };
}

/** The name comes from the folder (or the default folder), the folder from the name; the rest are fixed defaults. */
function defaultsLayer(given: GivenAnswers): AnswerLayer {
  const name = given.name ?? (given.dir !== undefined ? nameForDir(given.dir) : DEFAULT_DIR);
  return { source: 'defaults', values: { name, dir: defaultDirFor(name), ...DEFAULT_ANSWERS } };
}

/**
 * A folder's name may make no valid package name (`http` is a Node core module): the error says the
 * name came from the folder, and how to choose another.
 */
function nameForDir(dir: string): string {
  const base = path.basename(path.resolve(dir));
  const name = nameFromDir(base);
  try {
    return validateName(name);
  } catch (error) {
    if (!isCliError(error)) throw error;
    throw new CliError(`the name made from the directory "${base}": ${error.message}; pass --name`, error.exitCode);
  }
}

function resolved({ values, sources }: MergedAnswers): ResolvedAnswers {
  const { name, description, transports, db, dir } = values;
  // The defaults layer answers every question, so this only fails if that layer is broken.
  if (name === undefined || description === undefined || transports === undefined || db === undefined || dir === undefined) {
    throw new Error('internal error: an answer is missing after the defaults layer');
  }
  return {
    answers: { name, description, transports, db },
    dir,
    sources: sources as ResolvedAnswers['sources'],
  };
}

function missingAnswers(given: GivenAnswers): string[] {
  const missing: string[] = [];
  if (given.dir === undefined && given.name === undefined) missing.push(`[dir] or ${QUESTION_FLAGS.name}`);
  if (given.description === undefined) missing.push(QUESTION_FLAGS.description);
  if (given.transports === undefined) missing.push(QUESTION_FLAGS.transports);
  if (given.db === undefined) missing.push(QUESTION_FLAGS.db);
  return missing;
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

/** The prompts layer: asks only the questions no earlier layer answered, after checking a given folder. */
async function ask(given: GivenAnswers, io: AskIo): Promise<AnswerLayer> {
  const prompt = io.prompt ?? terminalPrompt;
  const warn = io.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const checkTarget = io.checkTarget ?? (async () => undefined);
  const raw: RawAnswers = {};
  // Nobody should answer every question to learn that the folder was never usable.
  if (given.dir !== undefined) await checkTarget(given.dir);
  if (given.dir === undefined && given.name === undefined) {
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
    raw.name = String(name);
    await checkTarget(defaultDirFor(raw.name));
  }
  if (given.description === undefined) {
    const description = await prompt({
      type: 'text',
      name: 'value',
      message: 'Description',
      initial: DEFAULT_ANSWERS.description,
      validate: validateForPrompt(parseDescription),
    });
    raw.description = String(description);
  }
  while (given.transports === undefined && raw.transports === undefined) {
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
    if (Array.isArray(transports) && transports.length > 0) raw.transports = transports.map(String);
    else warn('Pick at least one transport: space selects the highlighted one, enter confirms.');
  }
  if (given.db === undefined) {
    const db = await prompt({
      type: 'select',
      name: 'value',
      message: 'Database',
      choices: DATABASES.map((value) => ({ title: DATABASE_TITLES[value], value })),
      initial: DATABASES.indexOf(DEFAULT_ANSWERS.db),
    });
    raw.db = String(db);
  }
  // The questions validate as the user types; this catches only what a prompt let through.
  return parseLayer('prompts', raw, 'your answer on the terminal');
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

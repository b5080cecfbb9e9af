import { CliError, isCliError, usageError } from './errors.js';
import { validateName } from './name.js';

export const TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const DATABASES = ['none', 'postgres'] as const;
export type Database = (typeof DATABASES)[number];

/** Everything the templates depend on. Recorded in `.mcp-prod.json`, so keep it small and stable. */
export interface Answers {
  name: string;
  description: string;
  /** In the user's order: the first one that can run on its own is the default `MCP_TRANSPORT`. */
  transports: Transport[];
  db: Database;
}

export const QUESTION_FLAGS = {
  name: '--name',
  description: '--description',
  transports: '--transport',
  db: '--db',
} as const satisfies Record<keyof Answers, string>;

export const DEFAULT_ANSWERS: Omit<Answers, 'name'> = {
  description: 'A production-ready MCP server',
  transports: ['stdio'],
  db: 'none',
};

/**
 * Parses `--transport stdio,http,sse`. `sse` is served by the HTTP server, so it brings `http`
 * with it; duplicates are dropped and the given order kept.
 */
export function parseTransports(value: string | readonly string[]): Transport[] {
  const items = (typeof value === 'string' ? value.split(',') : [...value]).map((item) => item.trim().toLowerCase());
  if (items.length === 0 || items.some((item) => item === '')) {
    throw usageError(`invalid --transport "${String(value)}": expected a comma list of ${TRANSPORTS.join(', ')}`);
  }
  const result: Transport[] = [];
  for (const item of items) {
    if (!isTransport(item)) {
      throw usageError(`invalid --transport value "${item}": expected a comma list of ${TRANSPORTS.join(', ')}`);
    }
    if (item === 'sse' && !result.includes('http')) result.push('http');
    if (!result.includes(item)) result.push(item);
  }
  return result;
}

export function parseDatabase(value: string): Database {
  const db = value.trim().toLowerCase();
  if (!isDatabase(db)) {
    throw usageError(`invalid --db value "${value}": expected one of ${DATABASES.join(', ')}`);
  }
  return db;
}

export function parseDescription(value: string): string {
  const description = value.trim();
  // Control characters (a tab, a NUL) would land raw in README.md, package.json and code comments.
  if (description.length === 0 || description.length > 200 || /\p{Cc}/u.test(description)) {
    throw usageError('invalid --description: expected one line of 1 to 200 characters, no control characters');
  }
  return description;
}

function isTransport(value: string): value is Transport {
  return (TRANSPORTS as readonly string[]).includes(value);
}

function isDatabase(value: string): value is Database {
  return (DATABASES as readonly string[]).includes(value);
}

/**
 * Answers as they are gathered, layer by layer. The target folder rides along because the name's
 * default comes from it (and its default from the name); it is where the answers go, not one of
 * them, so `.mcp-prod.json` does not record it.
 */
export interface GivenAnswers extends Partial<Answers> {
  dir?: string;
}

/**
 * The one order answers are taken in, first wins. An explicit flag beats the answers file (a file
 * kept for CI, adjusted for one run); questions are asked only for what neither answered; defaults
 * fill the rest (everything left under `--yes`).
 */
export const PRECEDENCE = ['flags', 'file', 'prompts', 'defaults'] as const;

/** Where an answer came from. */
export type AnswerSource = (typeof PRECEDENCE)[number];

/** One source's answers: only the questions it answered, already validated. */
export interface AnswerLayer {
  source: AnswerSource;
  values: GivenAnswers;
}

/** Every layer merged by `PRECEDENCE`, and which layer each answer came from. */
export interface MergedAnswers {
  values: GivenAnswers;
  sources: { [Key in keyof GivenAnswers]?: AnswerSource };
}

export function mergeLayers(layers: readonly AnswerLayer[]): MergedAnswers {
  const ordered = [...layers].sort((a, b) => PRECEDENCE.indexOf(a.source) - PRECEDENCE.indexOf(b.source));
  const values: Record<string, unknown> = {};
  const sources: Record<string, AnswerSource> = {};
  for (const layer of ordered) {
    for (const [key, value] of Object.entries(layer.values)) {
      if (value === undefined || Object.hasOwn(values, key)) continue;
      values[key] = value;
      sources[key] = layer.source;
    }
  }
  return { values: values as GivenAnswers, sources: sources as MergedAnswers['sources'] };
}

/** A layer as typed (flags, answers file): strings, a transport list possibly already split. */
export interface RawAnswers {
  name?: string;
  description?: string;
  transports?: string | readonly string[];
  db?: string;
}

/**
 * Validates a typed layer. A flag's error names the flag, which says where it came from; an error
 * from anywhere else starts with its origin (`where`, e.g. "answers file ./a.json"), so a bad value
 * in a file is never mistaken for one on the command line.
 */
export function parseLayer(source: AnswerSource, raw: RawAnswers, where?: string): AnswerLayer {
  try {
    return {
      source,
      values: {
        ...(raw.name !== undefined && { name: validateName(raw.name) }),
        ...(raw.description !== undefined && { description: parseDescription(raw.description) }),
        ...(raw.transports !== undefined && { transports: parseTransports(raw.transports) }),
        ...(raw.db !== undefined && { db: parseDatabase(raw.db) }),
      },
    };
  } catch (error) {
    if (where === undefined || !isCliError(error)) throw error;
    throw new CliError(`${where}: ${error.message}`, error.exitCode);
  }
}

/** The typed checks a layer read from JSON gets before `parseLayer`; each error starts with its origin. */
export function expectString(value: unknown, key: string, where: string): string {
  if (typeof value !== 'string') throw usageError(`${where}: "${key}" must be a string`);
  return value;
}

export function expectStringList(value: unknown, key: string, where: string): string[] {
  if (isStringList(value)) return value;
  throw usageError(`${where}: "${key}" must be a list of strings`);
}

export function expectStringOrList(value: unknown, key: string, where: string): string | string[] {
  if (typeof value === 'string' || isStringList(value)) return value;
  throw usageError(`${where}: "${key}" must be a string or a list of strings`);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

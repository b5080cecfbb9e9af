import { usageError } from './errors.js';

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
  if (description.length === 0 || description.length > 200 || /[\r\n]/.test(description)) {
    throw usageError('invalid --description: expected one line of 1 to 200 characters');
  }
  return description;
}

function isTransport(value: string): value is Transport {
  return (TRANSPORTS as readonly string[]).includes(value);
}

function isDatabase(value: string): value is Database {
  return (DATABASES as readonly string[]).includes(value);
}

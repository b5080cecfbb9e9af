import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Logger } from '../lib/logger.js';
import { isStatementError, runTransaction, type Connection, type Database, type RowPage, type TransactionOptions } from './database.js';

export interface PostgresOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** Extra node-postgres settings (tests use `options: '-c search_path=…'`). */
  pool?: pg.PoolConfig;
}

/** Rows are skipped and read in batches, so a page deep into a large result never holds it all. */
const BATCH_ROWS = 500;

/** PostgreSQL through a node-postgres pool: `DB_POOL_MAX` connections shared by all requests. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;

  constructor(
    options: PostgresOptions,
    private readonly logger: Logger,
  ) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Every connection gets the timeout, so no statement, ours or a user's, runs unbounded.
      statement_timeout: options.statementTimeoutMs,
      application_name: 'mcp-server',
      ...options.pool,
    });
    // An idle connection broken by a database restart must not crash the process: the pool drops it.
    this.pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed; the pool replaces it'));
  }

  async withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A borrowed client has no pool listener: without this, a connection dropped between two
    // statements would emit an unhandled 'error' and crash the process.
    const onError = (error: Error): void => {
      broken = error;
      this.logger.warn({ err: error }, 'database connection failed while in use');
    };
    client.on('error', onError);
    try {
      return await work(wrap(client));
    } catch (error) {
      // A statement error leaves the connection usable; anything else (a reset socket) does not.
      if (!isStatementError(error)) broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  withTransaction<T>(work: (connection: Connection) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.withConnection((connection) => runTransaction(connection, work, options));
  }

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.withConnection((connection) => connection.query('SELECT 1'));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function wrap(client: pg.PoolClient): Connection {
  return {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows as Row[], fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
    },
    page: (sql, offset, limit) => readPage(client, sql, offset, limit),
  };
}

/** A portal read with row limits (the extended protocol): the statement runs exactly as written. */
async function readPage(client: pg.PoolClient, sql: string, offset: number, limit: number): Promise<RowPage> {
  const cursor = client.query(new Cursor(sql));
  try {
    for (let skipped = 0; skipped < offset; ) {
      const batch = await cursor.read(Math.min(BATCH_ROWS, offset - skipped));
      if (batch.length === 0) return { rows: [], fields: fieldsOf(cursor), more: false };
      skipped += batch.length;
    }
    const rows = (await cursor.read(limit + 1)) as Record<string, unknown>[];
    return { rows: rows.slice(0, limit), fields: fieldsOf(cursor), more: rows.length > limit };
  } finally {
    await cursor.close();
  }
}

function fieldsOf(cursor: Cursor): RowPage['fields'] {
  // pg-cursor keeps the row description on its internal result; it is not in the typings.
  const fields = (cursor as unknown as { _result?: { fields?: { name: string; dataTypeID: number }[] } })._result?.fields ?? [];
  return fields.map(({ name, dataTypeID }) => ({ name, dataTypeID }));
}

import { PGlite } from '@electric-sql/pglite';
import { KeyedLock } from '../lib/lock.js';
import { runTransaction, type Connection, type Database, type TransactionOptions } from './database.js';

/**
 * An embedded PostgreSQL (PGlite, in memory) for trying the server and for fast tests, with no
 * database server to run. It has one connection, so callers take turns: each callback holds it
 * alone, and a transaction can never interleave with another request's statements.
 * Limits: it runs on the main thread and cannot cancel a running statement, so the statement
 * timeout only applies with a real PostgreSQL (`DATABASE_URL`).
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  private readonly turns = new KeyedLock();
  private started: Promise<PGlite> | undefined;

  /** Starts on first use (about a second, plus the seed), like a pool that connects lazily. */
  constructor(private readonly seedSql?: string) {}

  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.turns.run('connection', async () => work(this.connection(await this.start())));
  }

  withTransaction<T>(work: (connection: Connection) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.withConnection((connection) => runTransaction(connection, work, options));
  }

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.withConnection((connection) => connection.query('SELECT 1'));
  }

  async close(): Promise<void> {
    const started = this.started;
    if (started) await this.turns.run('connection', async () => (await started).close());
  }

  private start(): Promise<PGlite> {
    this.started ??= PGlite.create().then(async (db) => {
      if (this.seedSql !== undefined) await db.exec(this.seedSql);
      return db;
    });
    return this.started;
  }

  private connection(db: PGlite): Connection {
    return {
      query: async <Row>(sql: string, params: readonly unknown[] = []) => {
        const result = await db.query<Row>(sql, [...params]);
        return { rows: result.rows, fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
      },
      page: async (sql, offset, limit) => {
        const { rows, fields } = await db.query<Record<string, unknown>>(sql);
        return {
          rows: rows.slice(offset, offset + limit),
          fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
          more: rows.length > offset + limit,
        };
      },
    };
  }
}

/** One column of a result, by name and PostgreSQL type id. */
export interface Field {
  name: string;
  dataTypeID: number;
}

export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[];
  fields: Field[];
}

/** A slice of a query's rows: `more` is true when rows exist past it. */
export interface RowPage {
  rows: Record<string, unknown>[];
  fields: Field[];
  more: boolean;
}

/** A connection lent for the duration of one callback; never keep it. */
export interface Connection {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /**
   * Runs one statement as given and returns rows `offset` to `offset + limit`. The statement is
   * never wrapped or edited (no `SELECT count(*) FROM (…)`, which breaks on a trailing `;` or
   * comment); the database reads rows until it has one past the page to know if there are more.
   */
  page(sql: string, offset: number, limit: number): Promise<RowPage>;
}

export interface TransactionOptions {
  /** The database itself refuses writes: no parsing of SQL by us. */
  readOnly?: boolean;
  /** Cancels any statement that runs longer (PostgreSQL's statement_timeout). */
  statementTimeoutMs?: number;
}

/**
 * The database behind the tools (fix 3: a pool, not a shared connection). Code borrows a
 * connection for one callback, so no request can hold one past its own work.
 */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T>;
  /** BEGIN … COMMIT around `work`; ROLLBACK if it throws. */
  withTransaction<T>(work: (connection: Connection) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** For `/readyz`: one round trip, bounded by the caller's signal. */
  check(signal: AbortSignal): Promise<void>;
  /** Waits for borrowed connections to come back, then closes them all. */
  close(): Promise<void>;
}

/** An error PostgreSQL reported about a statement (it carries a SQLSTATE code), as opposed to a broken connection. */
export function isStatementError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** Shared by both implementations: BEGIN, settings, work, COMMIT, or ROLLBACK on any error. */
export async function runTransaction<T>(connection: Connection, work: (connection: Connection) => Promise<T>, options: TransactionOptions): Promise<T> {
  await connection.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    if (options.statementTimeoutMs !== undefined) {
      await connection.query(`SELECT set_config('statement_timeout', $1, true)`, [String(options.statementTimeoutMs)]);
    }
    const result = await work(connection);
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

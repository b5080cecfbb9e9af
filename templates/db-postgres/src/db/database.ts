import { ConfigError } from '../config.js';

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
  /** One statement (the extended protocol: a second statement after `;` is refused by the database). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /**
   * Runs one query (SELECT, WITH … SELECT, VALUES or TABLE) and returns rows `offset` to
   * `offset + limit`, read through a server-side cursor in small batches so no page, however
   * wide its rows, is held whole (see paging.ts). Must run inside a transaction.
   */
  page(sql: string, offset: number, limit: number): Promise<RowPage>;
}

export interface TransactionOptions extends ConnectionOptions {
  /**
   * The database itself refuses writes, and the transaction always ends in ROLLBACK, so nothing
   * a read-only transaction does (large objects, NOTIFY, LISTEN, settings) outlives it.
   */
  readOnly?: boolean;
}

export interface ConnectionOptions {
  /** Cancels any statement that runs longer (PostgreSQL's statement_timeout; the server's setting when unset). */
  statementTimeoutMs?: number;
  /** Aborting it cancels the running statement on the database and gives the connection back. */
  signal?: AbortSignal;
}

/**
 * The database behind the tools: a pool, not one shared connection, so concurrent calls do not
 * interleave on one session. Code borrows a
 * connection for one callback, so no request can hold one past its own work; every borrow
 * starts on a clean session (no settings, locks, prepared statements or listeners left by the
 * previous borrower).
 */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  withConnection<T>(work: (connection: Connection) => Promise<T>, options?: ConnectionOptions): Promise<T>;
  /** BEGIN … COMMIT around `work`; ROLLBACK if it throws (always, when read-only). */
  withTransaction<T>(work: (connection: Connection) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * For `/readyz`: one round trip, bounded by the caller's signal, that never waits behind calls.
   * Rejects when the database cannot be reached; resolves with a note when it is busy with calls.
   */
  check(signal: AbortSignal): Promise<string | void>;
  /** Does now what the first call would otherwise wait for; the server calls it before it says it started. */
  warmUp(): Promise<void>;
  /** Waits for borrowed connections to come back, then closes them all. */
  close(): Promise<void>;
}

/** An error PostgreSQL reported about a statement (it carries a SQLSTATE code), as opposed to a broken connection. */
export function isStatementError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A statement error after which the session cannot be trusted or is gone: connection exceptions
 * (08), the server terminating it (57P01 admin shutdown, 57P02 crash, 57P03), internal errors (XX).
 */
export function isSessionFatal(error: unknown): boolean {
  return isStatementError(error) && /^(08|57P|XX)/.test(error.code);
}

/** Every connection is in use and the wait for one is full or took too long: the caller should retry later. */
export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
}

/**
 * The database cannot be reached, or the connection to it was lost: it refused, timed out or
 * closed while connecting, or dropped mid-call without saying why. Not the caller's fault: retry.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * The database did not answer a call within twice its statement timeout: the statement was
 * cancelled on the server and the connection dropped. The code makes it a connection error.
 */
export class DatabaseTimeoutError extends Error {
  override name = 'DatabaseTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor() {
    super('no answer from the database within the statement timeout; the statement was cancelled');
  }
}

/** One row of a result is larger than the server reads into memory; it was not read. */
export class RowTooLargeError extends Error {
  override name = 'RowTooLargeError';
  constructor(readonly limitBytes: number) {
    super(
      `a row of the result is larger than ${Math.round(limitBytes / 1024 / 1024)} MiB, more than the server reads; ` +
        'select fewer or shorter columns (for example left(column, 1000))',
    );
  }
}

/**
 * The role behind DATABASE_URL can run programs, touch server files, signal other sessions or
 * otherwise do more than read: serving untrusted SQL with it would hand that to every client.
 */
export class PrivilegedRoleError extends ConfigError {
  override name = 'PrivilegedRoleError';
}

/** Shared by both implementations: BEGIN, settings, work, then COMMIT (ROLLBACK when read-only or on any error). */
export async function runTransaction<T>(connection: Connection, work: (connection: Connection) => Promise<T>, options: TransactionOptions): Promise<T> {
  await connection.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    if (options.statementTimeoutMs !== undefined) {
      await connection.query(`SELECT set_config('statement_timeout', $1, true)`, [String(options.statementTimeoutMs)]);
    }
    const result = await work(connection);
    await connection.query(options.readOnly ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Puts a session back as it was when it connected, after any borrower: DISCARD ALL (after ending
 * a transaction the borrower left open) (settings, role and session authorization, prepared
 * statements, cursors, listeners, advisory locks, temporary tables, cached plans).
 */
export async function resetSession(connection: Connection): Promise<void> {
  try {
    await connection.query('DISCARD ALL');
  } catch (error) {
    // 25001: still inside a transaction (DISCARD ALL cannot run in one): end it, then discard.
    if (!isStatementError(error) || error.code !== '25001') throw error;
    await connection.query('ROLLBACK');
    await connection.query('DISCARD ALL');
  }
}

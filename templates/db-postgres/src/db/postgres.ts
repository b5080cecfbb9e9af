import net from 'node:net';
import type { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import {
  DatabaseBusyError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  isSessionFatal,
  isStatementError,
  resetSession,
  RowTooLargeError,
  runTransaction,
  type Connection,
  type ConnectionOptions,
  type Database,
  type TransactionOptions,
} from './database.js';
import { readPage, READ_LIMITS } from './paging.js';
import { checkRole } from './role-check.js';
import { guardedStream, RowSizeGuard } from './row-guard.js';

export interface PostgresOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** Serve untrusted SQL even as a role that can do more than read (DB_ALLOW_PRIVILEGED). */
  allowPrivileged?: boolean;
  /** Extra node-postgres settings (tests use `options: '-c search_path=…'`). */
  pool?: pg.PoolConfig;
}

/** How long a call waits for a free connection before "busy, retry". */
const ACQUIRE_TIMEOUT_MS = 2_000;
/** Callers allowed to wait per pooled connection; past that a call is told "busy" at once. */
const WAITERS_PER_CONNECTION = 25;
/** A call still waiting this long past twice its statement timeout means a dead server: drop the connection. */
const DEADLINE_GRACE_MS = 2_000;
/** SQLSTATE 53300: the server (or the role's connection limit) takes no more connections. */
const TOO_MANY_CONNECTIONS = '53300';

/**
 * A node-postgres client whose socket is watched by a RowSizeGuard. `connection.attachListeners`
 * is where node-postgres hands its socket (plain or TLS) to the protocol parser; pg is pinned, and
 * test/db/faults.test.ts fails if this stops guarding.
 */
class GuardedClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    const connection = (this as unknown as { connection: { attachListeners(stream: EventEmitter): void } }).connection;
    const attach = connection.attachListeners.bind(connection);
    connection.attachListeners = (stream) =>
      attach(
        guardedStream(stream, new RowSizeGuard(READ_LIMITS.maxRowBytes), () => {
          (stream as net.Socket).destroy(new RowTooLargeError(READ_LIMITS.maxRowBytes));
        }),
      );
  }
}

/** PostgreSQL through a node-postgres pool: `DB_POOL_MAX` connections shared by all requests. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private roleChecked: Promise<void> | undefined;
  /** Calls waiting for a connection from the pool (or for a new one to open). */
  private acquiring = 0;

  constructor(
    private readonly options: PostgresOptions,
    private readonly logger: Logger,
  ) {
    this.pool = new pg.Pool({
      Client: GuardedClient,
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      // Idle connections do not keep the process alive (a stdio server exits when stdin closes).
      allowExitOnIdle: true,
      // Every connection gets the timeout, so no statement, ours or a user's, runs unbounded.
      statement_timeout: options.statementTimeoutMs,
      application_name: 'mcp-server',
      ...options.pool,
    });
    // An idle connection broken by a database restart must not crash the process: the pool drops it.
    this.pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed; the pool replaces it'));
  }

  /**
   * Refuses a role that can do more than read (see role-check.ts), unless allowed. Run at start-up;
   * if the database is unreachable then, it runs again before the first read-only transaction.
   */
  verifyRole(): Promise<void> {
    this.roleChecked ??= this.withConnection((connection) => checkRole(connection, this.options.allowPrivileged ?? false, this.logger)).catch(
      (error: unknown) => {
        this.roleChecked = undefined;
        throw error;
      },
    );
    return this.roleChecked;
  }

  async withConnection<T>(work: (connection: Connection) => Promise<T>, options: ConnectionOptions = {}): Promise<T> {
    const client = await this.acquire(options.signal);
    let broken: Error | undefined;
    /** We dropped the connection ourselves (a cancel, the deadline): its socket error is only the echo. */
    let cutByUs = false;
    /** The connection failed on its own (not cut by us, nor by the row guard): the database went away. */
    let lost = false;
    // A borrowed client has no pool listener: without this, a connection dropped between two
    // statements would emit an unhandled 'error' and crash the process.
    const onError = (error: Error): void => {
      broken ??= error;
      if (cutByUs) return;
      lost ||= !(error instanceof RowTooLargeError);
      this.logger.warn({ err: error }, 'database connection failed while in use');
    };
    client.on('error', onError);
    // Cancels the statement on the server and drops the connection at once: a database that does
    // not answer (hung, cut off) must not hold the call, or a shutdown waiting for the pool.
    const cut = (reason: Error): void => {
      cutByUs = true;
      broken ??= reason;
      sendCancelRequest(client, this.logger);
      destroySocket(client, broken);
    };
    const onAbort = (): void => cut(new Error('the call was cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A call is a few statements, each within the statement timeout: twice that is far past it.
    // The cancel matters even when the server answers: a backend whose client went away runs on
    // until it next writes, and SQL can lift its own statement_timeout (set_config), so it could
    // otherwise hold a server connection slot for as long as it likes.
    const deadline = setTimeout(() => {
      this.logger.warn('no answer from the database within twice the statement timeout: cancelling the statement, dropping the connection');
      cut(new DatabaseTimeoutError());
    }, 2 * (options.statementTimeoutMs ?? this.options.statementTimeoutMs) + DEADLINE_GRACE_MS);
    deadline.unref();
    try {
      if (options.signal?.aborted) throw options.signal.reason;
      const result = await work(wrap(client));
      // The work is done and its result stands: a connection that fails its reset is only retired.
      if (!broken) await resetSession(wrap(client)).catch((resetError: unknown) => (broken ??= toError(resetError)));
      return result;
    } catch (error) {
      // A statement error leaves the connection usable once reset; anything else (a reset socket,
      // a terminated backend, a failed reset) retires it, and the pool opens a new one.
      if (!isStatementError(error) || isSessionFatal(error)) broken ??= toError(error);
      if (!broken) await resetSession(wrap(client)).catch((resetError: unknown) => (broken = resetError as Error));
      // node-postgres reports a connection closed under a call as a bare Error ("Connection terminated unexpectedly").
      if (lost && !isStatementError(error)) throw new DatabaseUnavailableError(messageOf(error), { cause: error });
      throw error;
    } finally {
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      client.off('error', onError);
      client.release(broken ?? false);
    }
  }

  async withTransaction<T>(work: (connection: Connection) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    // Untrusted SQL runs read-only: make sure the role was checked before the first such call.
    if (options.readOnly) await this.verifyRole();
    return this.withConnection((connection) => runTransaction(connection, work, options), options);
  }

  /**
   * Readiness: one round trip, never queued behind the pool. While a pooled connection is free
   * it goes through the pool; when every one is running a call, a probe waiting for one would
   * call a busy database down, so it asks on a short-lived connection of its own instead.
   */
  async check(signal: AbortSignal): Promise<string | void> {
    signal.throwIfAborted();
    const { poolMax } = this.options;
    const free = this.pool.waitingCount === 0 && (this.pool.idleCount > 0 || this.pool.totalCount < poolMax);
    if (free) {
      // Not passed on as a cancellation: a probe that gives up must not stop the database's work.
      await this.withConnection((connection) => connection.query('SELECT 1'));
      return;
    }
    try {
      await probeOnOwnConnection({ connectionString: this.options.url, ...this.options.pool, application_name: 'mcp-server readiness' }, signal);
    } catch (error) {
      // The server answered that it takes no more connections: reachable, and busy.
      if (!(isStatementError(error) && error.code === TOO_MANY_CONNECTIONS)) throw error;
    }
    return `busy: all ${poolMax} pooled connections in use; the database answers`;
  }

  /** Nothing to do: the role was checked when the database was opened, and the pool connects on demand. */
  warmUp(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** A pool connection, or DatabaseBusyError when too many calls already wait or the wait runs out. */
  private async acquire(signal: AbortSignal | undefined): Promise<pg.PoolClient> {
    signal?.throwIfAborted();
    const { poolMax } = this.options;
    if (this.acquiring >= poolMax * (1 + WAITERS_PER_CONNECTION)) {
      throw new DatabaseBusyError(`the database is busy (all ${poolMax} connections in use, ${this.acquiring} calls waiting); retry shortly`);
    }
    this.acquiring++;
    const connecting = this.pool.connect().finally(() => this.acquiring--);
    return new Promise<pg.PoolClient>((resolve, reject) => {
      // A cancelled call stops waiting; a connection that arrives later goes straight back.
      const onAbort = (): void => reject(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      connecting.then(
        (client) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) client.release();
          else resolve(client);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          // Timed out with every connection open and in use: busy. With fewer, the database is slow to connect.
          const busy = error instanceof Error && /timeout exceeded when trying to connect/.test(error.message) && this.pool.totalCount >= poolMax;
          if (busy) reject(new DatabaseBusyError(`the database is busy (all ${poolMax} connections in use for ${ACQUIRE_TIMEOUT_MS} ms); retry shortly`));
          // An answer from the server (bad password, unknown database, too many connections) keeps its SQLSTATE.
          else if (isStatementError(error)) reject(error);
          else reject(new DatabaseUnavailableError(`cannot connect to the database: ${messageOf(error)}`, { cause: error }));
        },
      );
    });
  }
}

function messageOf(error: unknown): string {
  return toError(error).message;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function wrap(client: pg.PoolClient): Connection {
  const connection: Connection = {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => {
      // The extended protocol, always: one statement per call, never a `;`-separated batch.
      const result = await client.query({ text: sql, values: [...params], queryMode: 'extended' } as pg.QueryConfig);
      return { rows: result.rows as Row[], fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
    },
    page: (sql, offset, limit) => readPage(connection, sql, offset, limit),
  };
  return connection;
}

/** Internals of a node-postgres client that a cancel request needs (set from the server's BackendKeyData). */
interface ClientKeys {
  processID: number | null;
  secretKey: number | null;
  host: string;
  port: number;
  connection: { stream: net.Socket };
}

/**
 * PostgreSQL's cancel request: a new connection that names the backend and its secret key. It
 * is answered before authentication, so it needs no credentials (and no TLS).
 */
function sendCancelRequest(client: pg.PoolClient, logger: Logger): void {
  const { processID, secretKey, host, port } = client as unknown as ClientKeys;
  if (processID === null || secretKey === null) return;
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  const socket = host.startsWith('/') ? net.connect(`${host}/.s.PGSQL.${port}`) : net.connect(port, host);
  socket.setTimeout(5_000, () => socket.destroy());
  socket.on('error', (error) => logger.warn({ err: error }, 'could not send a cancel request to the database'));
  socket.on('connect', () => socket.end(packet));
}

/** `SELECT 1` on a connection opened for it and closed after; aborting `signal` drops it at once. */
async function probeOnOwnConnection(config: pg.ClientConfig, signal: AbortSignal): Promise<void> {
  const client = new pg.Client(config);
  // Errors reach the caller through connect() and query(); unheard, an 'error' event would crash the process.
  client.on('error', () => {});
  const drop = (): void => void client.end();
  signal.addEventListener('abort', drop, { once: true });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    signal.removeEventListener('abort', drop);
    drop();
  }
}

function destroySocket(client: pg.PoolClient, error: Error): void {
  (client as unknown as ClientKeys).connection.stream.destroy(error);
}

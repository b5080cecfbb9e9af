import { Worker } from 'node:worker_threads';
import { KeyedLock } from '../lib/lock.js';
import {
  DatabaseBusyError,
  resetSession,
  RowTooLargeError,
  runTransaction,
  type Connection,
  type ConnectionOptions,
  type Database,
  type QueryResult,
  type TransactionOptions,
} from './database.js';
import { readPage, READ_LIMITS } from './paging.js';
import { WORKER_SOURCE } from './pglite-worker.js';

export interface PgliteOptions {
  /** Run once each time the database starts (it lives in memory). */
  seedSql?: string;
  /** No statement runs longer: past it the worker is stopped and a fresh database started. */
  statementTimeoutMs: number;
}

/** Callers allowed to wait for the embedded database's one connection; past that, "busy, retry". */
const MAX_WAITING = 64;

/** A PostgreSQL error as the worker reports it (with its SQLSTATE code, so the tool shows it as one). */
class EmbeddedError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly position?: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(result: QueryResult): void;
  reject(error: Error): void;
}

/** One started worker: its database lives and dies with it. */
class EmbeddedWorker {
  readonly ready: Promise<void>;
  private started = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped: Error | undefined;

  /** `onDeath` hears of a worker that stopped on its own (crashed, ran out of memory, failed to start), not of one stopped on purpose. */
  constructor(seedSql: string | undefined, onDeath: (reason: Error) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { pgliteUrl: import.meta.resolve('@electric-sql/pglite'), seedSql },
      // A runaway result exhausts the worker's heap, not the server's: the worker dies and is replaced.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: { ready?: true; id?: number; result?: QueryResult; error?: { message: string; code?: string; position?: string } }) => {
        if (message.ready) {
          this.started = true;
          return resolve();
        }
        const waiter = this.pending.get(message.id ?? -1);
        if (!waiter) return;
        this.pending.delete(message.id ?? -1);
        if (message.result) waiter.resolve(message.result);
        else if (message.error?.code === 'ROW_TOO_LARGE') waiter.reject(new RowTooLargeError(READ_LIMITS.maxRowBytes));
        else waiter.reject(new EmbeddedError(message.error?.message ?? 'unknown error', message.error?.code, message.error?.position));
      });
      const fail = (error: Error): void => {
        const reason = new Error(`the embedded database stopped (${error.message}); it restarts on the next call`);
        // After stop() (a timeout, a cancel, close) the exit is expected; any other is a death.
        if (!this.stopped) onDeath(reason);
        this.stop(reason);
        reject(error);
      };
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    });
    // An idle worker never keeps the process alive (a stdio server exits when stdin closes); one
    // that is starting or answering does. (Set after the listeners: adding one refs the worker.)
    void this.ready.then(() => this.idleUnlessBusy(), () => {});
  }

  private readonly worker: Worker;

  get alive(): boolean {
    return this.stopped === undefined;
  }

  /** Started and seeded, and not stopped since: it answers statements. */
  get serving(): boolean {
    return this.started && this.alive;
  }

  /** One statement, given at most `timeoutMs`; past it, or on abort, the worker is stopped (a query cannot be interrupted otherwise). */
  query(sql: string, params: readonly unknown[], timeoutMs: number, signal?: AbortSignal): Promise<QueryResult> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (signal?.aborted) return Promise.reject(new EmbeddedError('canceling statement due to user request', '57014'));
    const id = this.nextId++;
    return new Promise<QueryResult>((resolve, reject) => {
      const timer = setTimeout(() => this.stop(new EmbeddedError('canceling statement due to statement timeout', '57014')), timeoutMs);
      const onAbort = (): void => this.stop(new EmbeddedError('canceling statement due to user request', '57014'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.idleUnlessBusy();
      };
      this.worker.ref();
      this.pending.set(id, {
        resolve: (result) => (settle(), resolve(result)),
        reject: (error) => (settle(), reject(error)),
      });
      this.worker.postMessage({ id, sql, params: [...params], maxRowBytes: READ_LIMITS.maxRowBytes });
    });
  }

  private idleUnlessBusy(): void {
    if (this.pending.size === 0) this.worker.unref();
  }

  stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    void this.worker.terminate();
    for (const waiter of this.pending.values()) waiter.reject(reason);
    this.pending.clear();
  }
}

/**
 * An embedded PostgreSQL (PGlite, in memory) for trying the server and for fast tests, with no
 * database server to run. It runs in a worker thread, so a slow query never stalls the server's
 * event loop; a statement past DB_STATEMENT_TIMEOUT_MS, or one whose call is cancelled, stops
 * the worker, and the next call starts a fresh database with the example data (it lives in
 * memory: anything else written to it is lost then). It has one connection, so callers take turns.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  private readonly turns = new KeyedLock();
  private waiting = 0;
  /** True while a call holds the one connection. */
  private inUse = false;
  private current: EmbeddedWorker | undefined;
  /** Why the last worker died on its own; cleared once a new one has started. */
  private died: Error | undefined;
  private closed = false;

  constructor(private readonly options: PgliteOptions) {}

  withConnection<T>(work: (connection: Connection) => Promise<T>, options: ConnectionOptions = {}): Promise<T> {
    return this.borrow(work, options.signal, this.options.statementTimeoutMs);
  }

  withTransaction<T>(work: (connection: Connection) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    // The timeout is enforced here, per statement, by stopping the worker: PGlite has no timer of its own.
    const { statementTimeoutMs = this.options.statementTimeoutMs, ...rest } = options;
    return this.borrow((connection) => runTransaction(connection, work, rest), options.signal, statementTimeoutMs);
  }

  /**
   * Readiness without waiting behind a call: the one connection serves one statement at a time,
   * so a probe queued behind a slow query (up to DB_STATEMENT_TIMEOUT_MS) would call a busy
   * database down. A worker that died on its own is down until a new one has started.
   */
  async check(signal: AbortSignal): Promise<string | void> {
    signal.throwIfAborted();
    if (this.closed) throw new Error('the database is closed');
    if (this.died) {
      // Started here too, so a server that no traffic reaches (it is not ready) still recovers.
      this.startInBackground();
      throw this.died;
    }
    if (this.inUse) return 'busy: a call is using the embedded database';
    if (!this.current?.serving) {
      // Stopped on purpose (a statement timeout, a cancelled call) and not yet replaced, or being replaced.
      this.startInBackground();
      return 'busy: the embedded database is starting';
    }
    // Not passed on as a cancellation: a probe that gives up must not stop the database's work.
    await this.withConnection((connection) => connection.query('SELECT 1'));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.turns.run('connection', () => this.current?.stop(new Error('the database is closed')));
  }

  /** Starts the worker and seeds it (about two seconds), so the first call and the first readiness probe need not wait. */
  async warmUp(): Promise<void> {
    await this.start();
  }

  /** The running worker, or a new one (started and seeded) when there is none or it was stopped. */
  private async start(): Promise<EmbeddedWorker> {
    if (!this.current?.alive) {
      this.current = new EmbeddedWorker(this.options.seedSql, (reason) => (this.died = reason));
    }
    const worker = this.current;
    await worker.ready;
    this.died = undefined;
    return worker;
  }

  /** Starts a replacement without waiting for it; a failure is recorded as a death (see check). */
  private startInBackground(): void {
    void this.start().catch(() => {});
  }

  /** Takes the one connection in turn (a bounded queue), lends it to `work`, then resets its session. */
  private async borrow<T>(work: (connection: Connection) => Promise<T>, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
    if (this.waiting >= MAX_WAITING) throw new DatabaseBusyError(`the embedded database is busy (${this.waiting} calls waiting); retry shortly`);
    this.waiting++;
    let waiting = true;
    try {
      return await this.turns.run(
        'connection',
        async () => {
          this.waiting--;
          waiting = false;
          this.inUse = true;
          try {
            return await this.lendTo(work, signal, timeoutMs);
          } finally {
            this.inUse = false;
          }
        },
        { ...(signal && { signal }) },
      );
    } finally {
      if (waiting) this.waiting--;
    }
  }

  /** Lends the running (or a new) worker to `work`, then resets its session. */
  private async lendTo<T>(work: (connection: Connection) => Promise<T>, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
    const worker = await this.start();
    const connection = lend(worker, signal, timeoutMs);
    try {
      const result = await work(connection);
      if (worker.alive) await resetSession(lend(worker, undefined, this.options.statementTimeoutMs));
      return result;
    } catch (error) {
      if (worker.alive) await resetSession(lend(worker, undefined, this.options.statementTimeoutMs)).catch((resetError: unknown) => worker.stop(resetError as Error));
      throw error;
    }
  }
}

/** Statements on this connection go to the worker it was lent with; once that worker stops, they fail. */
function lend(worker: EmbeddedWorker, signal: AbortSignal | undefined, timeoutMs: number): Connection {
  const connection: Connection = {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await worker.query(sql, params, timeoutMs, signal)) as QueryResult<Row>,
    page: (sql, offset, limit) => readPage(connection, sql, offset, limit),
  };
  return connection;
}

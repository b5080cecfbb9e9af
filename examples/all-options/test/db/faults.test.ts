import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RowTooLargeError, type Database, type TransactionOptions } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/index.js';
import { READ_LIMITS } from '../../src/db/paging.js';
import { createLogger } from '../../src/lib/logger.js';
import { connectInMemory, textOf } from '../helpers/client.js';
import { asAdmin, prepareTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createTestServices } from '../helpers/services.js';

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await prepareTestDatabase();
  db = await openDatabase(loadConfig({ ...testDb.env, DB_STATEMENT_TIMEOUT_MS: '1500', DB_POOL_MAX: '3' }), createLogger('silent'));
});

afterAll(async () => {
  await db.close();
  await testDb.cleanup();
});

const countOrders = async (database: Database) =>
  Number((await database.withConnection((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM orders'))).rows[0]?.n);

const readOnly = (database: Database, sql: string, options: TransactionOptions = {}) =>
  database.withTransaction((c) => c.page(sql, 0, 100), { readOnly: true, ...options });

/** PostgreSQL: waits until no statement of the server's role runs on the database any more. */
async function waitUntilNoActiveBackends(withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  const active = () =>
    asAdmin(testDb.adminUrl!, async (admin) =>
      Number((await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'active'`, [testDb.role])).rows[0].n),
    );
  while ((await active()) > 0) {
    if (Date.now() > deadline) throw new Error('the query still runs on the database');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Generous timeouts: several tests restart the embedded database, which starts and seeds itself again.
describe(`limits and faults (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, { timeout: 120_000 }, () => {
  it('refuses a row larger than the row limit before reading it, and keeps working', async () => {
    const tooWide = `SELECT repeat('x', ${READ_LIMITS.maxRowBytes + 1024}) AS wide`;
    await expect(readOnly(db, tooWide, { statementTimeoutMs: 60_000 })).rejects.toBeInstanceOf(RowTooLargeError);
    expect(await countOrders(db)).toBe(5_000);
  });

  it('cuts a page of wide rows at its byte budget; the rest comes on the next pages', async () => {
    const page = await readOnly(db, "SELECT n, repeat('x', 1000000) AS wide FROM generate_series(1, 60) AS n ORDER BY n");
    expect(page.more).toBe(true);
    expect(page.rows.length).toBeGreaterThan(0);
    expect(page.rows.length).toBeLessThan(60);
    expect(page.rows.length * 1_000_000).toBeLessThanOrEqual(READ_LIMITS.maxPageBytes + READ_LIMITS.firstBatchRows * 1_000_000);
  });

  it('answers other work on the event loop while a query runs', async () => {
    const order: string[] = [];
    const query = readOnly(db, 'SELECT pg_sleep(1)').then(() => order.push('query'));
    await new Promise((resolve) => setTimeout(resolve, 20)).then(() => order.push('timer'));
    await query;
    expect(order).toEqual(['timer', 'query']);
  });

  it('stops a statement at the statement timeout, then serves the next call', async () => {
    await expect(readOnly(db, 'SELECT pg_sleep(30)')).rejects.toMatchObject({ code: '57014' });
    expect(await countOrders(db)).toBe(5_000);
  });

  it('cancels the statement on the database when the call is aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('client cancelled')), 300);
    await expect(readOnly(db, 'SELECT pg_sleep(30) AS slept', { signal: controller.signal, statementTimeoutMs: 60_000 })).rejects.toThrow();
    // The backend stops sleeping: the cancel request reached it (the statement timeout is 60 s).
    if (testDb.kind === 'postgres') await waitUntilNoActiveBackends(10_000);
    expect(await countOrders(db)).toBe(5_000);
  });

  it('stops a statement that lifted its own statement timeout, on the database too (PostgreSQL)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('the embedded database stops its worker per statement; set_config cannot lift that');
    // The first FETCH turns the timeout off for the transaction; the second sleeps. The call gives
    // up at its deadline, and the backend must not sleep on once its client has gone.
    const sql = "SELECT CASE WHEN n <= 10 THEN set_config('statement_timeout', '0', true) ELSE pg_sleep(600)::text END AS x FROM generate_series(1, 20) AS n";
    const services = await createTestServices({ ...testDb.env, DB_STATEMENT_TIMEOUT_MS: '1500' });
    const client = await connectInMemory(services);
    const started = Date.now();
    const result = await client.callTool({ name: 'query_database', arguments: { sql } });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/no answer from the database within the statement timeout; the statement was cancelled/);
    await waitUntilNoActiveBackends(10_000);
    expect(await countOrders(db)).toBe(5_000);
    await client.close();
    await services.cleanup();
  });

  it('stops COPY … TO PROGRAM on a trusted connection too, within the timeout', async () => {
    // As an ordinary role PostgreSQL refuses it; the embedded database would spin for ever without the timeout.
    await expect(db.withConnection((c) => c.query("COPY (SELECT 1) TO PROGRAM 'true'"))).rejects.toThrow();
    expect(await countOrders(db)).toBe(5_000);
  });
});

describe(`query_database under load and connection loss (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, { timeout: 120_000 }, () => {
  it('answers "busy, retry" at once when every connection is taken and the wait is full; never "failed unexpectedly"', async () => {
    const services = await createTestServices({ ...testDb.env, DB_POOL_MAX: '2' });
    const client = await connectInMemory(services);
    const results = await Promise.all(
      Array.from({ length: 150 }, () => client.callTool({ name: 'query_database', arguments: { sql: 'SELECT pg_sleep(0.1) AS slept' } })),
    );
    const texts = results.map((result) => (result.isError ? textOf(result) : 'ok'));
    expect(texts.filter((text) => text === 'ok').length).toBeGreaterThan(0);
    expect(texts.filter((text) => /busy.*retry/.test(text)).length).toBeGreaterThan(0);
    expect(texts.filter((text) => text !== 'ok' && !/busy.*retry/.test(text))).toEqual([]);
    await client.close();
    await services.cleanup();
  });

  it('replaces a connection that is lost mid-query, more times than the pool has connections', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const services = await createTestServices({ ...testDb.env, DB_POOL_MAX: '2' });
    const client = await connectInMemory(services);
    for (let i = 0; i < 5; i++) {
      const lost = await client.callTool({ name: 'query_database', arguments: { sql: 'SELECT pg_terminate_backend(pg_backend_pid())' } });
      expect(lost.isError).toBe(true);
      expect(textOf(lost)).not.toMatch(/unexpectedly/);
    }
    const after = await client.callTool({ name: 'query_database', arguments: { sql: 'SELECT 1 AS ok' } });
    expect(textOf(after)).toContain('{"ok":1}');
    await expect(services.db.check(AbortSignal.timeout(5_000))).resolves.toBeUndefined();
    await client.close();
    await services.cleanup();
  });
});

/** A TCP server on a free loopback port that does `onSocket` with every connection; `sockets` are its connections. */
async function startTcp(onSocket: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    onData: undefined as ((chunk: Buffer) => void) | undefined,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A TCP relay in front of DATABASE_URL, so a test can fail the wire the way a crash or a network
 * fault does: `cut` closes every relayed connection, `freeze` stops passing bytes either way.
 */
async function startRelay(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const pairs = new Set<[net.Socket, net.Socket]>();
  const relay = await startTcp((socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const pair: [net.Socket, net.Socket] = [socket, upstream];
    pairs.add(pair);
    upstream.on('error', () => socket.destroy());
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => {
      upstream.destroy();
      pairs.delete(pair);
    });
    socket.pipe(upstream).pipe(socket);
    socket.on('data', (chunk: Buffer) => relay.onData?.(chunk));
  });
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${relay.port}`;
  const cut = (): void => {
    for (const socket of relay.sockets) socket.destroy();
  };
  let cutBefore: string | undefined;
  relay.onData = (chunk) => {
    if (cutBefore !== undefined && chunk.includes(cutBefore)) cut();
  };
  return {
    url: url.toString(),
    cut,
    /** Cuts every connection as soon as a client sends `text` (the server never answers it). */
    cutOn: (text: string) => {
      cutBefore = text;
    },
    freeze: () => {
      for (const [socket, upstream] of pairs) {
        socket.unpipe(upstream);
        upstream.unpipe(socket);
        socket.pause();
        upstream.pause();
      }
    },
    close: relay.close,
  };
}

/** One query_database call on services whose DATABASE_URL points at `url`. */
async function callOn(url: string, sql: string): Promise<{ isError: boolean; text: string }> {
  const services = await createTestServices({ DATABASE_URL: url, DB_STATEMENT_TIMEOUT_MS: '5000' });
  const client = await connectInMemory(services);
  try {
    const result = await client.callTool({ name: 'query_database', arguments: { sql } });
    return { isError: result.isError === true, text: textOf(result) };
  } finally {
    await client.close();
    await services.cleanup();
  }
}

describe('query_database when the database goes away', { timeout: 60_000 }, () => {
  it('says the database is unavailable, not "failed unexpectedly", when connecting times out or is cut', async () => {
    const silent = await startTcp(() => {});
    const hangsUp = await startTcp((socket) => socket.destroy());
    for (const { port } of [silent, hangsUp]) {
      const result = await callOn(`postgresql://nobody@127.0.0.1:${port}/none`, 'SELECT 1');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^the database is unavailable \(cannot connect to the database: .+\); try again shortly$/);
    }
    await silent.close();
    await hangsUp.close();
  });

  it('says the database is unavailable when the connection drops mid-query without a word (PostgreSQL)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const relay = await startRelay(testDb.env.DATABASE_URL!);
    const services = await createTestServices({ DATABASE_URL: relay.url, DB_STATEMENT_TIMEOUT_MS: '5000' });
    const client = await connectInMemory(services);
    const call = client.callTool({ name: 'query_database', arguments: { sql: 'SELECT pg_sleep(3) AS slept' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    relay.cut();
    const result = await call;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^the database is unavailable \(.+\); try again shortly$/);
    // The pool opens a new connection: the next call works.
    const after = await client.callTool({ name: 'query_database', arguments: { sql: 'SELECT 1 AS ok' } });
    expect(textOf(after)).toContain('{"ok":1}');
    await client.close();
    await services.cleanup();
    await relay.close();
  });

  it('returns a result whose connection then fails its reset, and retires that connection (PostgreSQL)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const relay = await startRelay(testDb.env.DATABASE_URL!);
    const services = await createTestServices({ DATABASE_URL: relay.url });
    const client = await connectInMemory(services);
    // The read-only transaction has ended by then: the rows are what the database answered.
    relay.cutOn('DISCARD ALL');
    const result = await client.callTool({ name: 'query_database', arguments: { sql: 'SELECT 41 + 1 AS answer' } });
    expect(textOf(result)).toContain('{"answer":42}');
    relay.cutOn('never sent');
    const after = await client.callTool({ name: 'query_database', arguments: { sql: 'SELECT 1 AS ok' } });
    expect(textOf(after)).toContain('{"ok":1}');
    await client.close();
    await services.cleanup();
    await relay.close();
  });

  it('lets go of a cancelled call at once when the database has stopped answering, so close() does not wait (PostgreSQL)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const relay = await startRelay(testDb.env.DATABASE_URL!);
    // Its deadline (twice the statement timeout, plus 2 s) is 22 s away.
    const hung = await openDatabase(loadConfig({ DATABASE_URL: relay.url, DB_STATEMENT_TIMEOUT_MS: '10000' }), createLogger('silent'));
    const controller = new AbortController();
    const call = readOnly(hung, 'SELECT pg_sleep(1) AS slept', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    relay.freeze();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    controller.abort(new Error('shutdown deadline reached'));
    await expect(call).rejects.toThrow();
    await hung.close();
    // Without letting go it waits out the call's deadline (22 s); a loaded machine still lets go in well under 5.
    expect(Date.now() - started).toBeLessThan(5_000);
    await relay.close();
  });
});

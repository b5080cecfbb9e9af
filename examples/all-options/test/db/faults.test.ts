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
    if (testDb.kind === 'postgres') {
      // The backend stops sleeping: the cancel request reached it (the statement timeout is 60 s).
      const deadline = Date.now() + 10_000;
      const sleeping = () =>
        asAdmin(testDb.adminUrl!, async (admin) =>
          Number((await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'active'`, [testDb.role])).rows[0].n),
        );
      while ((await sleeping()) > 0) {
        if (Date.now() > deadline) throw new Error('the query still runs on the database');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(await countOrders(db)).toBe(5_000);
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

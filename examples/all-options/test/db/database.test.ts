import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/index.js';
import { PostgresDatabase } from '../../src/db/postgres.js';
import { createLogger } from '../../src/lib/logger.js';
import { captureLogs } from '../helpers/log-capture.js';
import { prepareTestDatabase, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await prepareTestDatabase();
  db = await openDatabase(loadConfig({ ...testDb.env, DB_STATEMENT_TIMEOUT_MS: '1000' }), createLogger('silent'));
});

afterAll(async () => {
  await db.close();
  await testDb.cleanup();
});

const count = async (table: string) =>
  Number((await db.withConnection((c) => c.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`))).rows[0]?.n);

describe(`the database (${process.env.DATABASE_URL ? 'PostgreSQL from DATABASE_URL' : 'embedded PGlite'})`, () => {
  it('gives each of 50 concurrent callers its own answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => db.withConnection((c) => c.query<{ n: number }>('SELECT $1::int AS n', [i]))),
    );
    expect(answers.map((result) => result.rows[0]?.n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it.each([
    ['INSERT', "INSERT INTO products VALUES ('SKU-999', 'x', 'x', 1)"],
    ['CREATE', 'CREATE TABLE sneaky (id int)'],
    ['DROP', 'DROP TABLE orders'],
    ['UPDATE', 'UPDATE products SET price_cents = 0'],
    ['a write hidden in a CTE', 'WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone'],
  ])('refuses %s in a read-only transaction and changes nothing', async (_, sql) => {
    const before = [await count('products'), await count('orders')];
    await expect(db.withTransaction((c) => c.query(sql), { readOnly: true })).rejects.toMatchObject({ code: expect.stringMatching(/^25006|0A000$/) });
    expect([await count('products'), await count('orders')]).toEqual(before);
    await expect(db.withConnection((c) => c.query('SELECT 1 FROM sneaky'))).rejects.toThrow();
  });

  it('rolls a transaction back when its work throws', async () => {
    await expect(
      db.withTransaction(async (c) => {
        await c.query("INSERT INTO products VALUES ('SKU-ROLLBACK', 'x', 'x', 1)");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.withConnection((c) => c.query("SELECT 1 FROM products WHERE sku = 'SKU-ROLLBACK'"))).rows).toEqual([]);
  });

  it('pages through 5,000 rows, every row once, without editing the statement', async () => {
    const sql = 'SELECT order_no FROM orders ORDER BY order_no; -- a trailing semicolon and comment';
    const seen: unknown[] = [];
    let more = true;
    for (let offset = 0; more; offset += 700) {
      const page = await db.withTransaction((c) => c.page(sql, offset, 700), { readOnly: true });
      seen.push(...page.rows.map((row) => row.order_no));
      more = page.more;
    }
    expect(seen).toHaveLength(5_000);
    expect(new Set(seen).size).toBe(5_000);
    expect(seen[0]).toBe('ORD-00001');
    expect(seen.at(-1)).toBe('ORD-05000');
  });

  it('reports the column names of an empty page', async () => {
    const page = await db.withTransaction((c) => c.page('SELECT sku, name FROM products WHERE false', 0, 10), { readOnly: true });
    expect(page).toEqual({ rows: [], fields: [expect.objectContaining({ name: 'sku' }), expect.objectContaining({ name: 'name' })], more: false });
  });

  it('cancels a statement that runs past the statement timeout', async (context) => {
    if (db.kind === 'pglite') return context.skip('the embedded database cannot cancel a running statement; run with DATABASE_URL');
    await expect(db.withTransaction((c) => c.query('SELECT pg_sleep(5)'), { readOnly: true, statementTimeoutMs: 200 })).rejects.toMatchObject({
      code: '57014',
    });
    expect((await db.withConnection((c) => c.query<{ ok: number }>('SELECT 1 AS ok'))).rows).toEqual([{ ok: 1 }]);
  });

  it('survives its connections being killed by the server, logs it, and recovers', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const { logger, entries } = captureLogs();
    const pooled = await openDatabase(loadConfig(testDb.env), logger);
    const pids = await Promise.all(
      Array.from({ length: 5 }, () =>
        pooled.withConnection(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')).rows[0]?.pid),
      ),
    );
    // The server ends this pool's connections, as a restart would; an unhandled error would crash this process.
    await db.withConnection((c) => c.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]));
    const ok = async () => pooled.withConnection((c) => c.query('SELECT 1')).then(() => true, () => false);
    const deadline = Date.now() + 10_000;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error('the pool did not recover');
    }
    const answers = await Promise.all(Array.from({ length: 5 }, () => pooled.withConnection((c) => c.query<{ ok: number }>('SELECT 1 AS ok'))));
    expect(answers.every((result) => result.rows[0]?.ok === 1)).toBe(true);
    // Logged as an idle failure or, if a connection was borrowed at that moment, an in-use one.
    expect(entries.some((entry) => /database connection failed/.test(entry.msg))).toBe(true);
    await pooled.close();
  });
});

describe('PostgresDatabase without a reachable server', () => {
  it('fails its readiness check instead of hanging or crashing, and logs idle errors', async () => {
    const { logger } = captureLogs();
    const unreachable = new PostgresDatabase({ url: 'postgresql://nobody@127.0.0.1:1/none', poolMax: 2, statementTimeoutMs: 1_000 }, logger);
    await expect(unreachable.check(AbortSignal.timeout(5_000))).rejects.toThrow(/ECONNREFUSED|connect/);
    await unreachable.close();
  });
});

import { describe, expect, it } from 'vitest';
import { connectInMemory, dataOf, textOf } from '../helpers/client.js';
import { useDatabaseServer } from '../helpers/database.js';
import { readAllPages } from '../helpers/pages.js';
import { createTestServices } from '../helpers/services.js';

const server = useDatabaseServer();

interface Page {
  firstRow?: number;
  rows: Record<string, unknown>[];
  nextCursor?: string;
  notice?: string;
  text: string;
}

async function query(sql: string, cursor?: string): Promise<Page & { isError: boolean }> {
  const result = await server.client.callTool({ name: 'query_database', arguments: { sql, ...(cursor && { cursor }) } });
  const text = textOf(result);
  if (result.isError) return { rows: [], text, isError: true };
  return { ...dataOf<Page>(result), text, isError: false };
}

describe('query_database', () => {
  it('pages through 5,000 rows with opaque cursors, every row exactly once, each page within MAX_RESULT_CHARS', async () => {
    const sql = 'SELECT order_no, sku, quantity, ordered_at FROM orders ORDER BY order_no';
    const pages = await readAllPages((cursor) => query(sql, cursor));
    for (const page of pages) {
      expect(page.isError).toBe(false);
      expect(page.text.length).toBeLessThanOrEqual(8_000);
    }
    const seen = pages.flatMap((page) => page.rows.map((row) => row.order_no));
    expect(seen).toHaveLength(5_000);
    expect(new Set(seen).size).toBe(5_000);
    expect(pages.length).toBeGreaterThan(50);
  });

  it('shows the start of a 1 MB cell, shortened in place, and the cursor moves on', async () => {
    const page = await query("SELECT 1 AS id, repeat('abcdefghij', 100000) AS body");
    expect(page.isError).toBe(false);
    expect(page.text.length).toBeLessThanOrEqual(8_000);
    expect(page.rows).toHaveLength(1);
    expect(page.rows[0]?.id).toBe(1);
    const body = String(page.rows[0]?.body);
    expect(body).toMatch(/^abcdefghijabcdefghij/);
    expect(body.length).toBeGreaterThan(5_000);
    const kept = body.replace(/… \[(\d+) more characters cut\]$/, '');
    expect(body).toContain(`… [${1_000_000 - kept.length} more characters cut]`);
    expect(page.notice).toContain('substring()');
    expect(page.nextCursor).toBeUndefined();
  });

  it('pages through 8 rows of 100,000 characters each, one shortened row a page, to the end', async () => {
    const sql = "SELECT n, repeat('é', 100000) AS blob FROM generate_series(1, 8) AS n ORDER BY n";
    const pages = await readAllPages((cursor) => query(sql, cursor), 8);
    for (const page of pages) {
      expect(page.isError).toBe(false);
      expect(page.text.length).toBeLessThanOrEqual(8_000);
    }
    expect(pages.map((page) => page.firstRow)).toEqual(Array.from({ length: 8 }, (_, i) => i + 1));
    expect(pages.flatMap((page) => page.rows.map((row) => row.n))).toEqual(Array.from({ length: 8 }, (_, i) => i + 1));
  });

  it('gives each of 50 concurrent calls its own answer', async () => {
    const pages = await Promise.all(Array.from({ length: 50 }, (_, i) => query(`SELECT ${i} AS n, 'call ${i}' AS label`)));
    expect(pages.map((page) => page.rows)).toEqual(Array.from({ length: 50 }, (_, i) => [{ n: i, label: `call ${i}` }]));
  });

  it.each([
    "INSERT INTO products VALUES ('SKU-999', 'x', 'x', 1)",
    'CREATE TABLE sneaky (id int)',
    'DROP TABLE orders',
    'WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone',
  ])('refuses a write as a tool error and changes nothing: %s', async (sql) => {
    const page = await query(sql);
    expect(page.isError).toBe(true);
    expect(page.text).toMatch(/^SQL error (25006|0A000|42601): /);
    expect((await query('SELECT count(*)::int AS n FROM orders')).rows).toEqual([{ n: 5_000 }]);
  });

  it("returns PostgreSQL's message for a bad statement, as a tool error", async () => {
    const page = await query('SELECT no_such_column FROM products');
    expect(page).toMatchObject({ isError: true, text: 'SQL error 42703: column "no_such_column" does not exist' });
  });

  it('runs a statement with a trailing semicolon and comment as written', async () => {
    expect((await query('SELECT count(*)::int AS n FROM products; -- how many?')).rows).toEqual([{ n: 60 }]);
  });

  it('refuses a cursor from another query', async () => {
    const first = await query('SELECT order_no FROM orders ORDER BY order_no');
    const other = await query('SELECT sku FROM products', first.nextCursor);
    expect(other).toMatchObject({ isError: true, text: expect.stringContaining('invalid cursor') });
  });

  it('cancels a statement past the statement timeout (PostgreSQL)', async (context) => {
    if (server.testDb.kind === 'pglite') return context.skip('the embedded database cannot cancel a running statement; run with DATABASE_URL');
    const timed = await createTestServices({ ...server.testDb.env, DB_STATEMENT_TIMEOUT_MS: '200' });
    const timedClient = await connectInMemory(timed);
    const result = await timedClient.callTool({ name: 'query_database', arguments: { sql: 'SELECT pg_sleep(10)' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('SQL error 57014: canceling statement due to statement timeout');
    await timedClient.close();
    await timed.cleanup();
  });
});

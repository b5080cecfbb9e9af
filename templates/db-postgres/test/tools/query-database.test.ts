import { describe, expect, it } from 'vitest';
import { connectInMemory, textOf } from '../helpers/client.js';
import { useDatabaseServer } from '../helpers/database.js';
import { createTestServices } from '../helpers/services.js';

const server = useDatabaseServer();

interface Page {
  rows: Record<string, unknown>[];
  nextCursor: string | undefined;
  text: string;
}

async function query(sql: string, cursor?: string): Promise<Page & { isError: boolean }> {
  const result = await server.client.callTool({ name: 'query_database', arguments: { sql, ...(cursor && { cursor }) } });
  const text = textOf(result);
  if (result.isError) return { rows: [], nextCursor: undefined, text, isError: true };
  const cursorLine = /\nnextCursor: (\S+)$/.exec(text);
  const body = (cursorLine ? text.slice(0, cursorLine.index) : text).split('\n').slice(1).join('\n');
  const json = body.split('\n… [truncated')[0] ?? body;
  return { rows: JSON.parse(json) as Record<string, unknown>[], nextCursor: cursorLine?.[1], text, isError: false };
}

describe('query_database', () => {
  it('pages through 5,000 rows with opaque cursors, every row exactly once, each page within MAX_RESULT_CHARS', async () => {
    const sql = 'SELECT order_no, sku, quantity, ordered_at FROM orders ORDER BY order_no';
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await query(sql, cursor);
      expect(page.isError).toBe(false);
      expect(page.text.length).toBeLessThanOrEqual(8_000);
      seen.push(...page.rows.map((row) => row.order_no));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 1_000);
    expect(seen).toHaveLength(5_000);
    expect(new Set(seen).size).toBe(5_000);
    expect(pages).toBeGreaterThan(50);
  });

  it('caps a result of several megabytes and keeps its JSON valid', async () => {
    const page = await query("SELECT n, repeat('é', 100000) AS blob FROM generate_series(1, 50) AS n");
    expect(page.isError).toBe(false);
    expect(page.text.length).toBeLessThanOrEqual(8_000);
    expect(page.text).toContain('[truncated:');
    expect(page.text).toMatch(/single item exceeds the limit|showing 0 of/);
    expect(page.nextCursor).toBeDefined();
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

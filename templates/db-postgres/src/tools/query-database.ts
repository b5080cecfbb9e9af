import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DatabaseBusyError, isStatementError, PrivilegedRoleError, RowTooLargeError } from '../db/database.js';
import { toJsonRow } from '../db/json-rows.js';
import { capJsonItems, CursorError, decodeCursor, encodeCursor } from '../lib/results.js';
import { defineTool, textResult, ToolError } from './tool.js';

const PAGE_ROWS = 100;

/** Which statement the cursor belongs to (a hash, so the cursor stays short) and where the page starts. */
interface QueryCursor extends Record<string, unknown> {
  sql: string;
  offset: number;
}

export const queryDatabase = defineTool({
  name: 'query_database',
  title: 'Query the database',
  description: 'Run one read-only SQL query. Paginated.',
  inputSchema: z.object({
    sql: z.string().min(1).max(20_000).describe('One SQL statement'),
    cursor: z.string().optional().describe('nextCursor from the previous page'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  docs: `# query_database

Runs one SQL statement in a read-only transaction and returns its rows as a JSON array of objects,
${PAGE_ROWS} to a page. The database itself refuses writes (INSERT, UPDATE, DELETE, DDL, and writes
hidden in a CTE), and a statement running longer than the server's statement timeout
(\`DB_STATEMENT_TIMEOUT_MS\`) is cancelled.

- Add \`ORDER BY\` for a stable order across pages; without it PostgreSQL may return rows in any order.
- When there are more rows, the result ends with \`nextCursor\`: call again with the same \`sql\` and
  that \`cursor\`. A page is also cut short when its text would pass \`MAX_RESULT_CHARS\`; the
  cursor then continues right after the last row shown.
- Only a query runs (SELECT, WITH … SELECT, VALUES, TABLE), one statement; nothing it does outlives
  the call (the transaction is rolled back and the session reset), and cancelling the call cancels it.
- SQL errors come back as tool errors with PostgreSQL's message.
- The schema is described by the resources \`db://main/tables\` and \`db://main/tables/{table}/schema\`.`,
  async run({ sql, cursor }, { services, signal }) {
    const offset = cursor === undefined ? 0 : readCursor(cursor, sql);
    signal.throwIfAborted();
    let page;
    try {
      page = await services.db.withTransaction((connection) => connection.page(sql, offset, PAGE_ROWS), {
        readOnly: true,
        statementTimeoutMs: services.config.database.statementTimeoutMs,
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof DatabaseBusyError || error instanceof RowTooLargeError || error instanceof PrivilegedRoleError) throw new ToolError(error.message);
      if (isStatementError(error)) throw new ToolError(`SQL error ${error.code}: ${error.message}`);
      if (isConnectionError(error)) throw new ToolError(`the database is unavailable (${error.message}); try again shortly`);
      throw error;
    }

    if (page.rows.length === 0) return textResult(offset === 0 ? 'The query returned no rows.' : 'No more rows.');
    // Room for the header and cursor lines; the cap keeps whole rows only, so the JSON stays valid.
    const capped = capJsonItems(page.rows.map(toJsonRow), services.config.maxResultChars - 300, rowPerLine);
    const hasNext = page.more || capped.shown < page.rows.length;
    const header = `Rows ${offset + 1}-${offset + capped.shown}${hasNext ? ' (more available)' : ''}:`;
    const next = hasNext ? `\nnextCursor: ${encodeCursor({ sql: fingerprint(sql), offset: offset + capped.shown })}` : '';
    return textResult(`${header}\n${capped.text}${next}`);
  },
});

/** One row per line: valid JSON, easy to scan, and about half the tokens of indented JSON. */
function rowPerLine(rows: readonly Record<string, unknown>[]): string {
  return rows.length === 0 ? '[]' : `[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]`;
}

/** Node's network errors (ECONNREFUSED, ECONNRESET, …): the database, not the query, is the problem. */
function isConnectionError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('E');
}

function readCursor(cursor: string, sql: string): number {
  try {
    const state = decodeCursor<QueryCursor>(cursor);
    if (state.sql !== fingerprint(sql)) throw new CursorError('cursor belongs to a different query');
    if (!Number.isSafeInteger(state.offset) || state.offset < 0) throw new CursorError('bad offset');
    return state.offset;
  } catch (error) {
    if (error instanceof CursorError) throw new ToolError(`invalid cursor: ${error.message}; start again without one`);
    throw error;
  }
}

function fingerprint(sql: string): string {
  return createHash('sha256').update(sql).digest('base64url').slice(0, 16);
}

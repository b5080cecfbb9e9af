import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DatabaseBusyError, DatabaseTimeoutError, DatabaseUnavailableError, isStatementError, PrivilegedRoleError, RowTooLargeError } from '../db/database.js';
import { toJsonRow } from '../db/json-rows.js';
import { CursorError, decodeCursor, encodeCursor, pagedResult } from '../lib/results.js';
import { dataResult, defineTool, ToolError } from './tool.js';

const PAGE_ROWS = 100;

/** Which statement the cursor belongs to (a hash, so the cursor stays short) and where the page starts. */
interface QueryCursor extends Record<string, unknown> {
  sql: string;
  offset: number;
}

export const queryDatabase = defineTool({
  name: 'query_database',
  toolset: 'database',
  title: 'Query the database',
  description: 'Run one read-only SQL query. Paginated.',
  inputSchema: z.object({
    sql: z.string().min(1).max(20_000).describe('One SQL statement'),
    cursor: z.string().optional().describe('nextCursor from the previous page'),
  }),
  outputSchema: z.object({
    firstRow: z.number(),
    rows: z.array(z.record(z.string(), z.unknown())),
    nextCursor: z.string().optional(),
    notice: z.string().optional(),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  docs: `# query_database

Runs one SQL statement in a read-only transaction and returns its rows, ${PAGE_ROWS} to a page, as
\`{ firstRow, rows: [{ column: value }], nextCursor }\` (\`firstRow\` counts from 1). The database
itself refuses writes (INSERT, UPDATE, DELETE, DDL, and writes hidden in a CTE), and a statement
running longer than the server's statement timeout (\`DB_STATEMENT_TIMEOUT_MS\`) is cancelled.

- Add \`ORDER BY\` for a stable order across pages; without it PostgreSQL may return rows in any order.
- When there are more rows, \`nextCursor\` is set: call again with the same \`sql\` and that
  \`cursor\`. A page is also cut short when its text would pass \`MAX_RESULT_CHARS\`, and \`notice\`
  says so; the cursor then continues right after the last row shown.
- A single row larger than \`MAX_RESULT_CHARS\` is shown shortened: each long value keeps its start
  and ends with \`… [N more characters cut]\`. Select fewer columns or \`substring(col, from, n)\` to
  read the rest.
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
      const told = error instanceof DatabaseBusyError || error instanceof DatabaseTimeoutError || error instanceof RowTooLargeError || error instanceof PrivilegedRoleError;
      if (told) throw new ToolError(error.message);
      if (isStatementError(error)) throw new ToolError(`SQL error ${error.code}: ${error.message}`);
      if (error instanceof DatabaseUnavailableError || isConnectionError(error)) throw new ToolError(`the database is unavailable (${error.message}); try again shortly`);
      throw error;
    }

    const shaped = pagedResult({
      key: 'rows',
      items: page.rows.map(toJsonRow),
      more: page.more,
      maxChars: services.config.maxResultChars,
      // Every page shows at least one row, so the offset always moves forward.
      cursorAfter: (shown) => encodeCursor({ sql: fingerprint(sql), offset: offset + shown }),
      fields: { firstRow: offset + 1 },
      shrunkHint: 'Select fewer columns, or substring() a long one, to read the rest.',
    });
    return dataResult(shaped.structured);
  },
});

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

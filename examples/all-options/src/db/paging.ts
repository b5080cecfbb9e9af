import { isStatementError, type Connection, type Field, type QueryResult, type RowPage } from './database.js';

/**
 * Limits on what one page reads into memory. A row larger than `maxRowBytes` is refused before
 * it is read (postgres.ts guards the connection's socket; pglite.ts checks in its worker); a
 * page stops early once its rows pass `maxPageBytes`, and the cursor continues from there.
 */
export const READ_LIMITS = {
  maxRowBytes: 16 * 1024 * 1024,
  maxPageBytes: 4 * 1024 * 1024,
  /** Rows per FETCH at first; later batches are sized from the rows seen so far. */
  firstBatchRows: 10,
  maxBatchRows: 200,
} as const;

const CURSOR = 'mcp_page';
const DECLARE = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR `;

/** The database refused the statement because it is not a query (a write, SET, NOTIFY, COPY, …). */
export class NotAQueryError extends Error {
  readonly code = '42601';
  constructor(refused: string) {
    super(`only a query can run here (SELECT, WITH … SELECT, VALUES or TABLE); refused a statement starting with "${refused}"`);
  }
}

/**
 * Reads one page of a query through a server-side cursor: `DECLARE … CURSOR FOR <sql>`, `MOVE`
 * past the earlier pages on the server (their rows never cross the network), then `FETCH` in
 * small batches until the page is full or its byte budget is spent.
 *
 * DECLARE also makes the database itself accept only a query (SELECT, WITH … SELECT, VALUES,
 * TABLE): statements such as NOTIFY, LISTEN, SET, PREPARE, COPY, DO or CALL are syntax errors,
 * and the extended protocol refuses a second statement after a `;`. The statement is otherwise
 * run as written, so a trailing `;` or comment is fine.
 */
export async function readPage(connection: Connection, sql: string, offset: number, limit: number): Promise<RowPage> {
  try {
    await connection.query(DECLARE + sql);
  } catch (error) {
    // A syntax error right where the statement starts: it is not a query DECLARE accepts.
    const position = Number((error as { position?: unknown }).position);
    if (isStatementError(error) && error.code === '42601' && position === DECLARE.length + 1) {
      throw new NotAQueryError(/^\s*(\S{1,30})/.exec(sql.slice(position - 1 - DECLARE.length))?.[1] ?? sql.slice(0, 30));
    }
    throw error;
  }
  if (offset > 0) await connection.query(`MOVE FORWARD ${offset} IN ${CURSOR}`);

  const rows: Record<string, unknown>[] = [];
  let fields: Field[] = [];
  let bytes = 0;
  let batch: number = READ_LIMITS.firstBatchRows;
  // One row past the page tells whether there are more.
  while (rows.length <= limit) {
    const wanted = Math.min(batch, limit + 1 - rows.length);
    const result: QueryResult = await connection.query(`FETCH FORWARD ${wanted} FROM ${CURSOR}`);
    fields = result.fields;
    for (const row of result.rows) {
      rows.push(row);
      bytes += approximateBytes(row);
    }
    if (result.rows.length < wanted) return { rows, fields, more: false };
    if (bytes >= READ_LIMITS.maxPageBytes) break;
    const average = bytes / rows.length;
    batch = Math.max(1, Math.min(READ_LIMITS.maxBatchRows, Math.floor((READ_LIMITS.maxPageBytes - bytes) / Math.max(average, 1))));
  }
  // Either the extra row arrived (there are more) or the byte budget cut the page short.
  if (rows.length > limit) return { rows: rows.slice(0, limit), fields, more: true };
  return { rows, fields, more: true };
}

/** About the size of a row as text, cheaply: enough to keep a page's memory bounded. */
export function approximateBytes(row: Record<string, unknown>): number {
  let total = 0;
  for (const value of Object.values(row)) {
    if (typeof value === 'string') total += value.length;
    else if (value instanceof Uint8Array) total += value.byteLength * 2;
    else if (value === null || value === undefined) total += 4;
    else if (typeof value === 'object') total += JSON.stringify(value)?.length ?? 0;
    else total += 16;
  }
  return total;
}

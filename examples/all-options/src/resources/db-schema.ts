import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import type { Database } from '../db/index.js';
import { buildUri, matchUri } from '../lib/uri.js';

const MIME_TYPE = 'application/json';

interface TableRow {
  table_schema: string;
  table_name: string;
  table_type: string;
  in_current_schema: boolean;
}

/**
 * Tables are named as a query would name them: plain in the current schema, `schema.table` in
 * other schemas on the search path. Names, never oids, so URIs survive migrations.
 */
function displayName({ table_schema, table_name, in_current_schema }: TableRow): string {
  return in_current_schema ? table_name : `${table_schema}.${table_name}`;
}

/** The tables and views a query can see by name: those in the schemas on the search path. */
async function listTables(db: Database): Promise<TableRow[]> {
  const { rows } = await db.withConnection((connection) =>
    connection.query<TableRow>(
      `SELECT table_schema, table_name, table_type, table_schema = current_schema() AS in_current_schema
         FROM information_schema.tables
        WHERE table_schema = ANY (current_schemas(false))
        ORDER BY table_schema <> current_schema(), table_schema, table_name`,
    ),
  );
  return rows;
}

/** `db://main/tables` lists the tables; `db://main/tables/{table}/schema` describes one table's columns. */
export function registerDatabaseSchema(server: McpServer, db: Database): void {
  server.registerResource(
    'tables',
    buildUri('db', 'main', 'tables'),
    { title: 'Database tables', description: 'Tables and views, with links to their schemas', mimeType: MIME_TYPE },
    async (uri) => {
      const tables = (await listTables(db)).map((row) => ({
        name: displayName(row),
        type: row.table_type === 'VIEW' ? 'view' : 'table',
        schema: buildUri('db', 'main', 'tables', displayName(row), 'schema'),
      }));
      return { contents: [{ uri: uri.href, mimeType: MIME_TYPE, text: JSON.stringify(tables, null, 2) }] };
    },
  );

  server.registerResource(
    'table-schema',
    new ResourceTemplate('db://main/tables/{table}/schema', {
      list: async () => ({
        resources: (await listTables(db)).map((row) => ({
          uri: buildUri('db', 'main', 'tables', displayName(row), 'schema'),
          name: `${displayName(row)} schema`,
          mimeType: MIME_TYPE,
        })),
      }),
    }),
    { title: 'Table schema', description: 'Columns of one table: name, type, nullable, default', mimeType: MIME_TYPE },
    async (uri) => {
      const [kind, name, leaf] = matchUri(uri.href, 'db', 'main') ?? [];
      const table = kind === 'tables' && leaf === 'schema' ? (await listTables(db)).find((row) => displayName(row) === name) : undefined;
      if (!table) throw new Error(`no table at ${uri.href}`);
      const { rows } = await db.withConnection((connection) =>
        connection.query(
          `SELECT column_name AS name, data_type AS type, is_nullable = 'YES' AS nullable, column_default AS "default"
             FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = $2
            ORDER BY ordinal_position`,
          [table.table_schema, table.table_name],
        ),
      );
      const text = JSON.stringify({ table: displayName(table), columns: rows }, null, 2);
      return { contents: [{ uri: uri.href, mimeType: MIME_TYPE, text }] };
    },
  );
}

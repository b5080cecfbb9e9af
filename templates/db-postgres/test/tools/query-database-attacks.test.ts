import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInMemory, textOf } from '../helpers/client.js';
import { asAdmin, prepareTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createTestServices, type TestServices } from '../helpers/services.js';

// One pooled connection, so every call below runs on the session the previous call used: whatever
// a call leaves behind, the next one would see.
let testDb: TestDatabase;
let services: TestServices;
let client: Client;

beforeAll(async () => {
  testDb = await prepareTestDatabase();
  services = await createTestServices({ ...testDb.env, DB_POOL_MAX: '1' });
  client = await connectInMemory(services);
});

afterAll(async () => {
  await client.close();
  await services.cleanup();
  await testDb.cleanup();
});

async function call(sql: string): Promise<{ isError: boolean; text: string; rows: Record<string, unknown>[] }> {
  const result = await client.callTool({ name: 'query_database', arguments: { sql } });
  const structured = result.structuredContent as { rows?: Record<string, unknown>[] } | undefined;
  return { isError: result.isError === true, text: textOf(result), rows: structured?.rows ?? [] };
}

/** The single value of a one-row, one-column query, as text. */
async function value(sql: string): Promise<string> {
  const { isError, text, rows } = await call(sql);
  expect(isError, text).toBe(false);
  const [row] = rows;
  return String(Object.values(row ?? {})[0]);
}

/** What a session looks like: the checks a leaked change would show up in. */
const SESSION_STATE = `SELECT json_build_object(
  'search_path', current_setting('search_path'),
  'statement_timeout', current_setting('statement_timeout'),
  'work_mem', current_setting('work_mem'),
  'role', current_user,
  'prepared', (SELECT count(*) FROM pg_prepared_statements),
  'cursors', (SELECT count(*) FROM pg_cursors),
  'listening', (SELECT count(*) FROM pg_listening_channels()),
  'advisory_locks', (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
  'large_objects', (SELECT count(*) FROM pg_largeobject_metadata)
)::text AS state`;

describe(`query_database against hostile SQL (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  let clean: string;
  beforeAll(async () => {
    clean = await value(SESSION_STATE);
  }, 120_000);

  it.each([
    ['a large object', "SELECT lo_create(0) AS oid"],
    ['a large object from bytes', "SELECT lo_from_bytea(0, 'x') AS oid"],
    ['a session setting', "SELECT set_config('search_path', 'pg_catalog', false) AS s"],
    ['a session setting (work_mem)', "SELECT set_config('work_mem', '1MB', false) AS s"],
    ['a session statement timeout', "SELECT set_config('statement_timeout', '0', false) AS s"],
    ['an advisory lock', 'SELECT pg_advisory_lock(4242) AS locked'],
    ['a shared advisory lock', 'SELECT pg_advisory_lock_shared(4243) AS locked'],
    ['a notification', "SELECT pg_notify('mcp_attack', 'x') AS sent"],
  ])('leaves nothing behind after %s', async (_, sql) => {
    const attack = await call(sql);
    expect(attack.text).not.toMatch(/unexpectedly/);
    expect(await value(SESSION_STATE)).toBe(clean);
  });

  it.each([
    'NOTIFY mcp_attack',
    'LISTEN mcp_attack',
    "SET search_path TO pg_catalog",
    'SET ROLE NONE',
    'SET SESSION AUTHORIZATION DEFAULT',
    'RESET ALL',
    'PREPARE sneaky AS SELECT 1',
    'DISCARD ALL',
    'DECLARE held CURSOR WITH HOLD FOR SELECT 1',
    'COMMIT',
    'BEGIN',
    "COPY (SELECT 1) TO PROGRAM 'true'",
    "COPY (SELECT 1) TO '/tmp/mcp-attack'",
    'COPY products TO STDOUT',
    'DO $$ BEGIN PERFORM 1; END $$',
    'CREATE TEMP TABLE scratch (id int)',
    'LOCK TABLE products',
    'EXPLAIN ANALYZE SELECT 1',
    'SELECT 1; SELECT 2',
    "SELECT 1; SELECT lo_create(0)",
  ])('refuses a statement that is not a single query: %s', async (sql) => {
    const attack = await call(sql);
    expect(attack.isError).toBe(true);
    expect(attack.text).toMatch(/^SQL error [0-9A-Z]{5}: /);
    expect(await value(SESSION_STATE)).toBe(clean);
  });

  it('refuses sequence writes (nextval, setval)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('the example data has no sequence');
    await asAdmin(testDb.adminUrl!, async (admin) => {
      await admin.query(`CREATE SEQUENCE public.${testDb.role}_seq`);
      await admin.query(`GRANT ALL ON SEQUENCE public.${testDb.role}_seq TO ${testDb.role}`);
    });
    for (const sql of [`SELECT nextval('public.${testDb.role}_seq')`, `SELECT setval('public.${testDb.role}_seq', 99)`]) {
      expect(await call(sql)).toMatchObject({ isError: true, text: expect.stringContaining('25006') });
    }
    await asAdmin(testDb.adminUrl!, (admin) => admin.query(`DROP SEQUENCE public.${testDb.role}_seq`));
  });

  it('delivers no notification to a listener (PostgreSQL)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a second session');
    const heard: string[] = [];
    await asAdmin(testDb.adminUrl!, async (listener) => {
      listener.on('notification', (message) => heard.push(message.channel));
      await listener.query('LISTEN mcp_attack');
      await call("SELECT pg_notify('mcp_attack', 'x')");
      // A round trip on the listener after the call: a notification sent at commit would be here by now.
      await listener.query('SELECT 1');
    });
    expect(heard).toEqual([]);
  });

  it('cannot switch to another role its login role is not a member of', async () => {
    const attack = await call("SELECT set_config('role', 'postgres', false)");
    if (testDb.kind === 'postgres') expect(attack).toMatchObject({ isError: true, text: expect.stringContaining('permission denied') });
    expect(await value(SESSION_STATE)).toBe(clean);
  });
});

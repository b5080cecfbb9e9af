import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../../src/config.js';
import { asAdmin, prepareTestDatabase, type TestDatabase } from '../helpers/database.js';
import { handshakeOverStdio, spawnServer, type ServerOptions, type ServerProcess } from '../helpers/server-process.js';

/** stdio when this repo serves it, typed as one of its own transports (which may not include it). */
const stdio = TRANSPORTS.find((name) => (name as string) === 'stdio');

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await prepareTestDatabase();
});
afterAll(async () => {
  await testDb.cleanup();
});

// A failed test must not leave its server running.
const started: ServerProcess[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.cleanup();
});

/** The built server (`npm run build` first), with the test database. */
function spawnWithDatabase(options: ServerOptions): ServerProcess {
  const server = spawnServer({ ...options, env: { ...testDb.env, ...options.env } });
  started.push(server);
  return server;
}

const query = (id: number, sql: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'query_database', arguments: { sql } } });

// Each test starts a server process; the embedded database starts and seeds itself in each.
describe(`the server process with the database (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, { timeout: 120_000 }, () => {
  it('exits when stdin ends, after using the database', async (context) => {
    if (stdio === undefined) return context.skip('generated without the stdio transport');
    const server = spawnWithDatabase({ transport: stdio });
    handshakeOverStdio(server, 'db-e2e');
    server.send(query(1, 'SELECT count(*)::int AS n FROM orders'));
    expect((await server.response(1)).result?.content[0]?.text).toContain('{"n":5000}');
    server.child.stdin.end();
    expect((await server.waitForExit()).code).toBe(0);
  });

  it('on SIGTERM cancels a running query at SHUTDOWN_TIMEOUT_MS, answers the call and exits', async (context) => {
    if (stdio === undefined) return context.skip('generated without the stdio transport');
    const server = spawnWithDatabase({ transport: stdio, env: { SHUTDOWN_TIMEOUT_MS: '3000', DB_STATEMENT_TIMEOUT_MS: '3600000' } });
    handshakeOverStdio(server, 'db-e2e');
    server.send(query(1, 'SELECT 1 AS warm'));
    await server.response(1);
    // Without cancellation this sleeps for 10 minutes, far past the test's timeout.
    server.send(query(2, 'SELECT pg_sleep(600)'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    server.child.kill('SIGTERM');
    const answer = await server.response(2);
    expect(answer.result?.isError).toBe(true);
    expect((await server.waitForExit()).code).toBe(0);
  });

  it('refuses to start as a superuser, with one log line that says why and how to fix it', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const isSuper = await asAdmin(testDb.adminUrl!, async (admin) => (await admin.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper as boolean);
    if (!isSuper) return context.skip('DATABASE_URL is not a superuser');
    const server = spawnWithDatabase({ transport: TRANSPORTS[0], env: { DATABASE_URL: testDb.adminUrl! } });
    expect((await server.waitForExit()).code).toBe(1);
    const lines = server.stderr().split('\n').filter((line) => line.trim() !== '');
    const fatal = lines.filter((line) => line.includes('"level":"fatal"'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/superuser.*docs\/database\.md.*DB_ALLOW_PRIVILEGED=true/);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });
});

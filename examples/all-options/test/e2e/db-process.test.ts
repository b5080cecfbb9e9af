import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS } from '../../src/config.js';
import { asAdmin, prepareTestDatabase, type TestDatabase } from '../helpers/database.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const hasStdio = (TRANSPORTS as readonly string[]).includes('stdio');

let testDb: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  testDb = await prepareTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-db-e2e-'));
});
const spawned: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  // A failed test must not leave its server running.
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  await testDb.cleanup();
});

interface Spawned {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The built server (`npm run build` first), on the given transport, with the test database. */
function spawnServer(env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'index.js')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', ...testDb.env, ...env },
    stdio: 'pipe',
  });
  spawned.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, exited };
}

function send(server: Spawned, message: object): void {
  server.child.stdin.write(`${JSON.stringify(message)}\n`);
}

async function response(server: Spawned, id: number): Promise<{ result?: { isError?: boolean; content: { text: string }[] } }> {
  for (;;) {
    const line = server.stdout().split('\n').find((text) => text.includes(`"id":${id},`) || text.includes(`"id":${id}}`));
    if (line) return JSON.parse(line) as { result?: { isError?: boolean; content: { text: string }[] } };
    if (server.child.exitCode !== null) throw new Error(`server exited before answering ${id}:\n${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function handshake(server: Spawned): void {
  send(server, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'db-e2e', version: '1' } },
  });
  send(server, { jsonrpc: '2.0', method: 'notifications/initialized' });
}

const query = (id: number, sql: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'query_database', arguments: { sql } } });

// Each test starts a server process; the embedded database starts and seeds itself in each.
describe(`the server process with the database (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, { timeout: 120_000 }, () => {
  it('exits when stdin ends, after using the database', async (context) => {
    if (!hasStdio) return context.skip('generated without the stdio transport');
    const server = spawnServer({ MCP_TRANSPORT: 'stdio' });
    handshake(server);
    send(server, query(1, 'SELECT count(*)::int AS n FROM orders'));
    expect((await response(server, 1)).result?.content[0]?.text).toContain('{"n":5000}');
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
  });

  it('on SIGTERM cancels a running query at SHUTDOWN_TIMEOUT_MS, answers the call and exits', async (context) => {
    if (!hasStdio) return context.skip('generated without the stdio transport');
    const server = spawnServer({ MCP_TRANSPORT: 'stdio', SHUTDOWN_TIMEOUT_MS: '3000', DB_STATEMENT_TIMEOUT_MS: '3600000' });
    handshake(server);
    send(server, query(1, 'SELECT 1 AS warm'));
    await response(server, 1);
    // Without cancellation this sleeps for 10 minutes, far past the test's timeout.
    send(server, query(2, 'SELECT pg_sleep(600)'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    server.child.kill('SIGTERM');
    const answer = await response(server, 2);
    expect(answer.result?.isError).toBe(true);
    expect(await server.exited).toBe(0);
  });

  it('refuses to start as a superuser, with one log line that says why and how to fix it', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const isSuper = await asAdmin(testDb.adminUrl!, async (admin) => (await admin.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper as boolean);
    if (!isSuper) return context.skip('DATABASE_URL is not a superuser');
    const server = spawnServer({ MCP_TRANSPORT: TRANSPORTS[0], DATABASE_URL: testDb.adminUrl! });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().split('\n').filter((line) => line.trim() !== '');
    const fatal = lines.filter((line) => line.includes('"level":"fatal"'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/superuser.*docs\/database\.md.*DB_ALLOW_PRIVILEGED=true/);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });
});

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGeneratedRepo, expectAllPassed, generate, startHttpServer, type RunningHttpServer } from './generated-repo.js';
import { runIn, workPath } from './helpers.js';

const repo = workPath('db-server');
/** Set by .ci/run: a real PostgreSQL on loopback, and a script that stops and starts it. */
const databaseUrl = process.env.E2E_DATABASE_URL;
const pgCtl = process.env.E2E_PG_CTL;

beforeAll(async () => {
  // Every transport: the repo's own process tests cover stdin EOF and shutdown with the database,
  // and its dependencies are every combination's (see the type-check test below).
  await generate(repo, ['--transport', 'stdio,http,sse', '--db', 'postgres']);
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The variant's own suite takes about 7 minutes on 2 quiet cores: its in-process tests start the
 * embedded database for every test. Two CI runs sharing those cores took over 15; allow for that.
 */
const WHOLE_SUITE_MS = 30 * 60_000;

describe('generated server with --db postgres', () => {
  it('builds, lints, passes its own tests (embedded PGlite) and its tool audit', { timeout: WHOLE_SUITE_MS }, async () => {
    await checkGeneratedRepo(repo);
  });

  // The variants installed in these tests are a few of the combinations: every one must compile,
  // for a file one layer writes may use a type another layer narrows (the transports generated).
  it('every combination of transports and database type-checks, sharing this repo\'s dependencies', async () => {
    for (const transport of ['stdio', 'http', 'http,sse', 'stdio,http', 'stdio,http,sse']) {
      for (const db of ['none', 'postgres']) {
        const combination = workPath(`combination-${transport.replace(/,/g, '-')}-${db}`);
        await generate(combination, ['--transport', transport, '--db', db, '--no-install', '--no-git']);
        await symlink(path.join(repo, 'node_modules'), path.join(combination, 'node_modules'), 'dir');
        await runIn(combination, 'npx', ['tsc', '--noEmit']);
      }
    }
  });

  it('passes its own tests against a real PostgreSQL server', { timeout: WHOLE_SUITE_MS }, async (context) => {
    if (!databaseUrl) return context.skip('needs E2E_DATABASE_URL (a PostgreSQL server): run bash .ci/run');
    const result = await runIn(repo, 'npm', ['test'], { DATABASE_URL: databaseUrl });
    expectAllPassed(result.all);
    expect(result.all).not.toMatch(/\b\d+ skipped\b/);
  });

  describe('against PostgreSQL that stops and starts again', () => {
    let server: RunningHttpServer | undefined;
    let client: Client | undefined;

    afterAll(async () => {
      if (pgCtl) await execa(pgCtl, ['start'], { reject: false });
      await client?.close();
      if (server) expect(await server.stop()).toBe(0);
    });

    it('reports unready while the database is down, keeps running, and recovers', async (context) => {
      if (!databaseUrl || !pgCtl) return context.skip('needs E2E_DATABASE_URL and E2E_PG_CTL: run bash .ci/run');
      // Seed a schema of its own with the generated example data, using the repo's own pg and seed,
      // and an ordinary role to serve it (the server refuses the superuser E2E_DATABASE_URL is).
      const schema = 'e2e_restart';
      await execa(
        'node',
        [
          '--input-type=module',
          '-e',
          `import pg from 'pg'; import { SEED_SQL } from './dist/db/seed.js';
           const c = new pg.Client({ connectionString: process.env.URL }); await c.connect();
           await c.query('DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema}');
           await c.query(SEED_SQL);
           await c.query("DROP ROLE IF EXISTS ${schema}_reader; CREATE ROLE ${schema}_reader LOGIN PASSWORD 'e2e-reader'");
           await c.query('GRANT USAGE ON SCHEMA ${schema} TO ${schema}_reader; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${schema}_reader');
           await c.end();`,
        ],
        { cwd: repo, env: { URL: databaseUrl } },
      );
      const url = new URL(databaseUrl);
      url.username = `${schema}_reader`;
      url.password = 'e2e-reader';
      url.searchParams.set('options', `-c search_path=${schema}`);
      server = await startHttpServer(repo, { DATABASE_URL: url.toString() });
      const base = server.url;
      const ready = async () => (await fetch(`${base}/readyz`)).status;

      client = new Client({ name: 'db-e2e', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
      const count = () => client!.callTool({ name: 'query_database', arguments: { sql: 'SELECT count(*)::int AS n FROM orders' } });
      expect(JSON.stringify((await count()).content)).toContain('{\\"n\\":5000}');
      expect(await ready()).toBe(200);

      await execa(pgCtl, ['stop']);
      await until(async () => (await ready()) === 503, '/readyz to turn 503');
      expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'unavailable', checks: { database: expect.any(String) } });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const failed = await count();
      expect(failed.isError).toBe(true);
      expect(JSON.stringify(failed.content)).toContain('the database is unavailable');
      expect(server.child.exitCode).toBeNull();

      await execa(pgCtl, ['start']);
      await until(async () => (await ready()) === 200, '/readyz to turn 200 again');
      expect(JSON.stringify((await count()).content)).toContain('{\\"n\\":5000}');
      expect(server.stderr()).not.toMatch(/uncaught|unhandled/i);
    });
  });
});

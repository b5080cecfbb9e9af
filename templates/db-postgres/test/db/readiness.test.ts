import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { checkReadiness, type ReadinessReport } from '../../src/lib/readiness.js';
import { asAdmin, prepareTestDatabase, type TestDatabase } from '../helpers/database.js';

/** As `/readyz` asks (src/http/health.ts): the database check, bounded by the same two seconds. */
const READINESS_TIMEOUT_MS = 2_000;
const readiness = (database: Database): Promise<ReadinessReport> =>
  checkReadiness([{ name: 'database', check: (signal) => database.check(signal) }], READINESS_TIMEOUT_MS);

/** Statements that each run `seconds`, on `count` connections at once; they end well within the statement timeout. */
const sleepers = (database: Database, count: number, seconds: number) =>
  Promise.all(Array.from({ length: count }, () => database.withConnection((c) => c.query(`SELECT pg_sleep(${seconds})`))));

/** Resolves once `condition` holds, polling. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let testDb: TestDatabase;
const opened: Database[] = [];
/** The run's database (`testDb.env`), or with `base` = {} the embedded one whatever DATABASE_URL says. */
const open = async (env: Record<string, string> = {}, base: Record<string, string> = testDb.env) => {
  const db = await openDatabase(loadConfig({ ...base, DB_STATEMENT_TIMEOUT_MS: '10000', DB_POOL_MAX: '3', ...env }), createLogger('silent'));
  opened.push(db);
  await db.warmUp();
  return db;
};

beforeAll(async () => {
  testDb = await prepareTestDatabase();
});
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});
afterAll(() => testDb.cleanup());

// A busy database is ready (a probe that waited behind calls would take every replica out of
// service whenever one client runs slow queries); an unreachable or dead one is not.
describe(`readiness of a busy database (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, { timeout: 60_000 }, () => {
  it('is ready, and says busy, while every connection runs a statement longer than the probe waits', async () => {
    const db = await open();
    // The embedded database has one connection; the pool has DB_POOL_MAX = 3.
    const running = sleepers(db, db.kind === 'pglite' ? 1 : 3, 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await readiness(db);
    expect(report).toEqual({ ready: true, checks: { database: expect.stringMatching(/^busy: /) } });
    await running;
    expect(await readiness(db)).toEqual({ ready: true, checks: { database: 'ok' } });
  });

  it('is ready again at once after a statement is stopped at the statement timeout', async () => {
    const db = await open({ DB_STATEMENT_TIMEOUT_MS: '500' });
    await expect(db.withConnection((c) => c.query('SELECT pg_sleep(30)'))).rejects.toMatchObject({ code: '57014' });
    expect((await readiness(db)).ready).toBe(true);
    await until(async () => (await readiness(db)).checks.database === 'ok');
  });
});

describe('readiness of an unavailable database', { timeout: 60_000 }, () => {
  it('PGlite: is not ready once its worker died, and is again once a new one has started (no call needed)', async () => {
    // The embedded database even in a run against PostgreSQL, where no test may be skipped.
    const db = await open({}, {});
    expect(db.kind).toBe('pglite');
    // Ends the worker thread without the database asking, as an out-of-memory crash would.
    await (db as unknown as { current: { worker: { terminate(): Promise<number> } } }).current.worker.terminate();
    const report = await readiness(db);
    expect(report.ready).toBe(false);
    expect(report.checks.database).toMatch(/embedded database stopped/);
    await until(async () => (await readiness(db)).checks.database === 'ok', 30_000);
  });

  it('PostgreSQL: is not ready when the server cannot be reached, even while every pooled connection is busy', async (context) => {
    if (testDb.kind !== 'postgres') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const db = await open();
    const running = sleepers(db, 3, 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The pooled connections keep running; a new connection is refused, as by a server that went away.
    await asAdmin(testDb.adminUrl!, (admin) => admin.query(`ALTER ROLE ${testDb.role} NOLOGIN`));
    try {
      const report = await readiness(db);
      expect(report.ready).toBe(false);
      expect(report.checks.database).toMatch(/not permitted to log in/);
    } finally {
      await asAdmin(testDb.adminUrl!, (admin) => admin.query(`ALTER ROLE ${testDb.role} LOGIN`));
    }
    await running;
  });

  it('PostgreSQL: is ready, and says busy, when the server takes no more connections from this role', async (context) => {
    if (testDb.kind !== 'postgres') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const db = await open();
    await asAdmin(testDb.adminUrl!, (admin) => admin.query(`ALTER ROLE ${testDb.role} CONNECTION LIMIT 3`));
    try {
      const running = sleepers(db, 3, 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await readiness(db)).toEqual({ ready: true, checks: { database: expect.stringMatching(/^busy: /) } });
      await running;
    } finally {
      await asAdmin(testDb.adminUrl!, (admin) => admin.query(`ALTER ROLE ${testDb.role} CONNECTION LIMIT -1`));
    }
  });
});

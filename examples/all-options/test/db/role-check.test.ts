import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { PrivilegedRoleError } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { asAdmin, createRole, prepareTestDatabase, type TestDatabase } from '../helpers/database.js';
import { captureLogs } from '../helpers/log-capture.js';

let testDb: TestDatabase;
const dropRoles: Array<() => Promise<void>> = [];

beforeAll(async () => {
  testDb = await prepareTestDatabase();
});

afterAll(async () => {
  for (const drop of dropRoles) await drop();
  await testDb.cleanup();
});

/** A login role for this test, member of `grants`. */
async function roleWith(...grants: string[]): Promise<string> {
  const role = await createRole(testDb.adminUrl!, `mcp_role_${randomUUID().replaceAll('-', '').slice(0, 10)}`, grants);
  dropRoles.unshift(role.drop);
  return role.url;
}

const open = (url: string, env: Record<string, string> = {}, logger = createLogger('silent')) =>
  openDatabase(loadConfig({ DATABASE_URL: url, ...env }), logger);

describe('the role behind DATABASE_URL', () => {
  it('refuses a superuser at start-up, saying why and how to fix it', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const isSuper = await asAdmin(testDb.adminUrl!, async (admin) => (await admin.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper as boolean);
    if (!isSuper) return context.skip('DATABASE_URL is not a superuser');
    const opening = open(testDb.adminUrl!);
    await expect(opening).rejects.toBeInstanceOf(PrivilegedRoleError);
    await expect(opening).rejects.toThrow(/which has .*superuser.*read-only role \(see docs\/database\.md\).*DB_ALLOW_PRIVILEGED=true/);
  });

  it('serves a superuser when DB_ALLOW_PRIVILEGED=true, with a warning', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const { logger, entries } = captureLogs();
    const db = await open(testDb.adminUrl!, { DB_ALLOW_PRIVILEGED: 'true' }, logger);
    await db.withTransaction((c) => c.query('SELECT 1'), { readOnly: true });
    await db.close();
    expect(entries.some((entry) => entry.level === 'warn' && /allowed by DB_ALLOW_PRIVILEGED=true/.test(entry.msg))).toBe(true);
  });

  it.for(['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files', 'pg_signal_backend'])('refuses a role that is a member of %s', async (grant, context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    await expect(open(await roleWith(grant))).rejects.toThrow(new RegExp(`which has ${grant}`));
  });

  it('refuses a role that can SET ROLE to a privileged role even without inheriting it', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const holder = `mcp_holder_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    await asAdmin(testDb.adminUrl!, async (admin) => {
      await admin.query(`CREATE ROLE ${holder} NOLOGIN CREATEROLE`);
    });
    dropRoles.push(() => asAdmin(testDb.adminUrl!, (admin) => admin.query(`DROP ROLE ${holder}`)).then(() => {}));
    const url = await roleWith(holder);
    await asAdmin(testDb.adminUrl!, (admin) => admin.query(`ALTER ROLE ${new URL(url).username} NOINHERIT`));
    await expect(open(url)).rejects.toThrow(/which has createrole/);
  });

  it('serves an ordinary role', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const db = await open(testDb.env.DATABASE_URL!);
    expect((await db.withTransaction((c) => c.query<{ ok: number }>('SELECT 1 AS ok'), { readOnly: true })).rows).toEqual([{ ok: 1 }]);
    await db.close();
  });

  it('serves a role made as docs/database.md says (pg_read_all_data)', async (context) => {
    if (testDb.kind === 'pglite') return context.skip('needs a PostgreSQL server (DATABASE_URL)');
    const db = await open(await roleWith('pg_read_all_data'));
    expect((await db.withTransaction((c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${testDb.role!.replace(/_reader$/, '')}.orders`), { readOnly: true })).rows).toEqual([{ n: 5_000 }]);
    await db.close();
  });
});

import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { SEED_SQL } from '../../src/db/seed.js';
import { connectInMemory } from './client.js';
import { createTestServices, type TestServices } from './services.js';

export interface TestDatabase {
  /** Environment for `createTestServices`: empty for the embedded database. */
  env: Record<string, string>;
  /** 'postgres' when the tests run against DATABASE_URL, else 'pglite'. */
  kind: 'postgres' | 'pglite';
  /** PostgreSQL only: DATABASE_URL as given (an administrator), for setting up and inspecting. */
  adminUrl?: string;
  /** PostgreSQL only: the ordinary role the server connects as. */
  role?: string;
  cleanup(): Promise<void>;
}

/** Runs statements as the administrator of DATABASE_URL. */
export async function asAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A login role with a random password, member of `grants`; `url` connects as it. */
export async function createRole(adminUrl: string, name: string, grants: string[] = []): Promise<{ url: string; drop(): Promise<void> }> {
  const password = randomUUID();
  await asAdmin(adminUrl, async (admin) => {
    await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
    for (const grant of grants) await admin.query(`GRANT ${grant} TO ${name}`);
  });
  const url = new URL(adminUrl);
  url.username = name;
  url.password = password;
  return {
    url: url.toString(),
    drop: () => asAdmin(adminUrl, async (admin) => {
      await admin.query(`DROP OWNED BY ${name} CASCADE`);
      await admin.query(`DROP ROLE ${name}`);
    }),
  };
}

/**
 * The database these tests run on. By default the embedded PGlite (seeded by the server itself).
 * With DATABASE_URL set (an administrator, as in CI) they run against that PostgreSQL instead:
 * each test file gets a schema of its own, seeded with the same example data, and an ordinary
 * role (it may read and write those tables, but it is no superuser: the server refuses one),
 * both dropped afterwards.
 */
export async function prepareTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) return { env: {}, kind: 'pglite', cleanup: async () => {} };

  const schema = `test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await asAdmin(url, async (admin) => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path TO ${schema}`);
    await admin.query(SEED_SQL);
  });
  const reader = await createRole(url, `${schema}_reader`);
  await asAdmin(url, async (admin) => {
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${schema}_reader`);
    // More than reading on purpose: the tests show that the read-only transaction, not a lack of
    // grants, is what refuses writes (many real DATABASE_URLs are an application's own role).
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${schema}_reader`);
  });

  const scoped = new URL(reader.url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATABASE_URL: scoped.toString() },
    kind: 'postgres',
    adminUrl: url,
    role: `${schema}_reader`,
    cleanup: async () => {
      await asAdmin(url, (admin) => admin.query(`DROP SCHEMA ${schema} CASCADE`));
      await reader.drop();
    },
  };
}

export interface DatabaseServer {
  readonly testDb: TestDatabase;
  readonly services: TestServices;
  readonly client: Client;
}

/** For a test file: the test database, services on it and a connected client, closed after the file. */
export function useDatabaseServer(): DatabaseServer {
  const current = {} as { testDb: TestDatabase; services: TestServices; client: Client };
  beforeAll(async () => {
    current.testDb = await prepareTestDatabase();
    current.services = await createTestServices(current.testDb.env);
    current.client = await connectInMemory(current.services);
  });
  afterAll(async () => {
    await current.client.close();
    await current.services.cleanup();
    await current.testDb.cleanup();
  });
  return current;
}

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
  cleanup(): Promise<void>;
}

/**
 * The database these tests run on. By default the embedded PGlite (seeded by the server itself).
 * With DATABASE_URL set they run against that PostgreSQL instead, each test file in a schema of
 * its own, seeded with the same example data and dropped afterwards.
 */
export async function prepareTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) return { env: {}, kind: 'pglite', cleanup: async () => {} };

  const schema = `test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path TO ${schema}`);
  await admin.query(SEED_SQL);
  await admin.end();

  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATABASE_URL: scoped.toString() },
    kind: 'postgres',
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
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

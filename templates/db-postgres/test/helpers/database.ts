import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SEED_SQL } from '../../src/db/seed.js';

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

import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { PrivilegedRoleError, type Database } from './database.js';
import { PgliteDatabase } from './pglite.js';
import { PostgresDatabase } from './postgres.js';
import { SEED_SQL } from './seed.js';

export type { Connection, Database } from './database.js';
export { DatabaseBusyError, DatabaseTimeoutError, DatabaseUnavailableError, PrivilegedRoleError, RowTooLargeError } from './database.js';

/**
 * PostgreSQL when `DATABASE_URL` is set; otherwise an embedded one, seeded with example data.
 * A PostgreSQL role that can do more than read is refused here, at start-up (PrivilegedRoleError),
 * unless DB_ALLOW_PRIVILEGED=true. A database that cannot be reached yet does not stop the start:
 * readiness reports it, and the role is checked before the first query_database call.
 */
export async function openDatabase({ database }: Config, logger: Logger): Promise<Database> {
  if (database.url !== undefined) {
    logger.info({ poolMax: database.poolMax }, 'using PostgreSQL from DATABASE_URL');
    const db = new PostgresDatabase(
      { url: database.url, poolMax: database.poolMax, statementTimeoutMs: database.statementTimeoutMs, allowPrivileged: database.allowPrivileged },
      logger,
    );
    try {
      await db.verifyRole();
    } catch (error) {
      if (error instanceof PrivilegedRoleError) {
        await db.close();
        throw error;
      }
      logger.warn({ err: error }, 'could not check the database role at start-up; it is checked before the first query');
    }
    return db;
  }
  logger.info('DATABASE_URL is not set: using an embedded PostgreSQL (PGlite) in memory, with example data');
  // Started on first use or by warmUp: tests that never query it do not pay for its start.
  return new PgliteDatabase({ seedSql: SEED_SQL, statementTimeoutMs: database.statementTimeoutMs });
}

import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Database } from './database.js';
import { PgliteDatabase } from './pglite.js';
import { PostgresDatabase } from './postgres.js';
import { SEED_SQL } from './seed.js';

export type { Connection, Database } from './database.js';

/** PostgreSQL when `DATABASE_URL` is set; otherwise an embedded one, seeded with example data. */
export async function openDatabase({ database }: Config, logger: Logger): Promise<Database> {
  if (database.url !== undefined) {
    logger.info({ poolMax: database.poolMax }, 'using PostgreSQL from DATABASE_URL');
    return new PostgresDatabase({ url: database.url, poolMax: database.poolMax, statementTimeoutMs: database.statementTimeoutMs }, logger);
  }
  logger.info('DATABASE_URL is not set: using an embedded PostgreSQL (PGlite) in memory, with example data');
  return new PgliteDatabase(SEED_SQL);
}

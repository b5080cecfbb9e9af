import type { Logger } from '../lib/logger.js';
import { PrivilegedRoleError, type Connection } from './database.js';

/**
 * Predefined roles that reach past the database: run programs on its host, read or write its
 * files, or signal (terminate) other sessions.
 */
const DANGEROUS_ROLES = ['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files', 'pg_signal_backend'];

interface RoleRow {
  rolname: string;
  rolsuper: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolcreaterole: boolean;
}

/**
 * What the connected role can do beyond reading, counting every role it is a member of (a member
 * can `SET ROLE` to it even without inheriting its rights). Empty for a proper read-only role.
 */
export async function findPrivileges(connection: Connection): Promise<{ role: string; privileges: string[] }> {
  const { rows } = await connection.query<RoleRow & { me: string }>(
    `SELECT current_user AS me, r.rolname, r.rolsuper, r.rolreplication, r.rolbypassrls, r.rolcreaterole
       FROM pg_roles r
      WHERE pg_has_role(current_user, r.oid, 'MEMBER')
        AND (r.rolsuper OR r.rolreplication OR r.rolbypassrls OR r.rolcreaterole OR r.rolname = ANY ($1))
      ORDER BY r.rolname`,
    [DANGEROUS_ROLES],
  );
  const privileges = new Set<string>();
  for (const row of rows) {
    if (row.rolsuper) privileges.add('superuser');
    if (row.rolreplication) privileges.add('replication');
    if (row.rolbypassrls) privileges.add('bypassrls');
    if (row.rolcreaterole) privileges.add('createrole');
    if (DANGEROUS_ROLES.includes(row.rolname)) privileges.add(row.rolname);
  }
  const role = rows[0]?.me ?? (await connection.query<{ me: string }>('SELECT current_user AS me')).rows[0]?.me ?? '?';
  return { role, privileges: [...privileges].sort() };
}

/**
 * Throws PrivilegedRoleError for a role that can do more than read, unless the operator allowed
 * it (DB_ALLOW_PRIVILEGED=true), in which case it is logged as a warning.
 */
export async function checkRole(connection: Connection, allowPrivileged: boolean, logger: Logger): Promise<void> {
  const { role, privileges } = await findPrivileges(connection);
  if (privileges.length === 0) return;
  const what = `DATABASE_URL connects as role "${role}", which has ${privileges.join(', ')}: query_database would let every MCP client use that`;
  if (allowPrivileged) {
    logger.warn({ role, privileges }, `${what} (allowed by DB_ALLOW_PRIVILEGED=true)`);
    return;
  }
  throw new PrivilegedRoleError(
    `${what}. Connect as a read-only role (see docs/database.md) or set DB_ALLOW_PRIVILEGED=true to accept the risk`,
  );
}

import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { SECRET_SETTINGS, settingsSchema, type Settings } from './settings.js';

/** The transports this server was generated with; the first is the default. */
export const TRANSPORTS = ["stdio","http"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

/** A comma-separated list; `*` alone means "any". */
const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
  .pipe(z.array(z.string()).min(1, { error: 'must list at least one name' }));

/** An absolute URL without a fragment; plain http only on a loopback host (local development). */
const httpsUrl = z.string().refine(isSecureUrl, { error: 'must be an https:// URL (http:// only on localhost or 127.0.0.1), without a #fragment' });

/** OAuth scopes separated by spaces or commas. */
const scopeList = z.string().transform((value) => value.split(/[\s,]+/).filter((scope) => scope !== ''));

/** Every environment variable the server reads, in one place. Read once at start-up. */
const envSchema = z.object({
  MCP_TRANSPORT: z.enum(TRANSPORTS, { error: `must be one of ${TRANSPORTS.join(', ')}` }).default(TRANSPORTS[0]),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  MAX_RESULT_CHARS: integer(1_000, 10_000_000).default(8_000),
  DATA_DIR: z.string().min(1).default(path.join(os.tmpdir(), 'example-all-options')),
  SHUTDOWN_TIMEOUT_MS: integer(0, 3_600_000).default(30_000),
  MCP_TOOLSETS: z
    .string()
    .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  DB_POOL_MAX: integer(1, 1_000).default(10),
  DB_STATEMENT_TIMEOUT_MS: integer(100, 3_600_000).default(5_000),
  DB_ALLOW_PRIVILEGED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer(0, 65_535).default(3_000),
  MCP_AUTH_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  ALLOWED_HOSTS: list.default(['localhost', '127.0.0.1', '[::1]']),
  ALLOWED_ORIGINS: list.default(['localhost', '127.0.0.1', '[::1]']),
  MAX_BODY_BYTES: integer(1_024, 100 * 1024 * 1024).default(1_048_576),
  SSE_MAX_LIFETIME_MS: integer(1_000, 7 * 24 * 3_600_000).default(3_600_000),
  SSE_IDLE_TIMEOUT_MS: integer(1_000, 24 * 3_600_000).default(300_000),
  SSE_HEARTBEAT_MS: integer(100, 3_600_000).default(15_000),
  MAX_CONNECTIONS: integer(1, 1_000_000).default(1_000),
  REQUEST_TIMEOUT_MS: integer(100, 3_600_000).default(30_000),
  // OAuth 2.1 resource server: with OAUTH_ISSUER set, MCP endpoints require the issuer's access tokens.
  OAUTH_ISSUER: httpsUrl.optional(),
  MCP_RESOURCE_URL: httpsUrl.optional(),
  OAUTH_SCOPES: scopeList.optional(),
  OAUTH_JWKS_URL: httpsUrl.optional(),
  // Your own variables (src/settings.ts) are validated with the server's.
}).extend(settingsSchema.shape);

/** The names of every variable the server reads (deployment tests check manifests against them). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

export interface Config {
  transport: TransportName;
  logLevel: LogLevel;
  /** Cap on the text of one tool result, so no result floods the model's context. */
  maxResultChars: number;
  /** Where the example notes are stored. */
  dataDir: string;
  /** How long a shutdown waits for in-flight tool calls before aborting them. */
  shutdownTimeoutMs: number;
  /** The tool groups to serve (see src/tools/toolsets.ts); undefined serves them all. */
  toolsets: string[] | undefined;
  database: {
    /** PostgreSQL to use; when unset, an embedded PostgreSQL (PGlite) with example data. */
    url: string | undefined;
    poolMax: number;
    statementTimeoutMs: number;
    /** Serve query_database even as a superuser or a role that can run programs or touch server files. */
    allowPrivileged: boolean;
  };
  http: {
    host: string;
    port: number;
    /** When set, MCP endpoints require `Authorization: Bearer <token>`. */
    authToken: string | undefined;
    /** Host header names accepted on MCP endpoints (DNS-rebinding protection); `*` accepts any. */
    allowedHosts: string[];
    /** Origin host names accepted from browsers; requests without Origin always pass. */
    allowedOrigins: string[];
    maxBodyBytes: number;
    /** A request's headers and body must arrive within this long (slow-body protection). */
    requestTimeoutMs: number;
    /** Set when OAUTH_ISSUER is: MCP endpoints then accept only this issuer's access tokens for this server. */
    oauth: OAuthConfig | undefined;
  };
  streams: {
    maxLifetimeMs: number;
    idleTimeoutMs: number;
    heartbeatMs: number;
    maxConnections: number;
  };
  /** Your settings, declared in src/settings.ts. */
  settings: Settings;
}

export interface OAuthConfig {
  /** The authorization server's issuer URL (`iss` of its tokens). */
  issuer: string;
  /** This server's canonical MCP URL: the published `resource`, and the audience a token must carry. */
  resourceUrl: string;
  /** Scopes every MCP request needs. */
  scopes: string[];
  /** The key set, when the issuer's metadata does not name one. */
  jwksUrl: string | undefined;
}

const SECRET_VARIABLES = new Set(['MCP_AUTH_TOKEN', 'DATABASE_URL', ...SECRET_SETTINGS]);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; a bad value throws a ConfigError naming every offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0]);
      // Never echo a secret back into the logs.
      const got = SECRET_VARIABLES.has(variable) ? 'a value' : JSON.stringify(env[variable]);
      return `${variable} ${issue.message} (got ${got})`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    transport: values.MCP_TRANSPORT,
    logLevel: values.LOG_LEVEL,
    maxResultChars: values.MAX_RESULT_CHARS,
    dataDir: path.resolve(values.DATA_DIR),
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    toolsets: values.MCP_TOOLSETS,
    database: {
      url: values.DATABASE_URL,
      poolMax: values.DB_POOL_MAX,
      statementTimeoutMs: values.DB_STATEMENT_TIMEOUT_MS,
      allowPrivileged: values.DB_ALLOW_PRIVILEGED === 'true',
    },
    http: {
      host: values.HOST,
      port: values.PORT,
      authToken: values.MCP_AUTH_TOKEN,
      allowedHosts: values.ALLOWED_HOSTS,
      allowedOrigins: values.ALLOWED_ORIGINS,
      maxBodyBytes: values.MAX_BODY_BYTES,
      requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
      oauth: oauthConfig(values),
    },
    streams: {
      maxLifetimeMs: values.SSE_MAX_LIFETIME_MS,
      idleTimeoutMs: values.SSE_IDLE_TIMEOUT_MS,
      heartbeatMs: values.SSE_HEARTBEAT_MS,
      maxConnections: values.MAX_CONNECTIONS,
    },
    settings: pickSettings(values),
  };
}

function pickSettings(values: Record<string, unknown>): Settings {
  return Object.fromEntries(Object.keys(settingsSchema.shape).map((key) => [key, values[key]])) as Settings;
}

/** OAuth settings only make sense together, and never next to the static MCP_AUTH_TOKEN. */
function oauthConfig(values: z.infer<typeof envSchema>): OAuthConfig | undefined {
  const { OAUTH_ISSUER: issuer, MCP_RESOURCE_URL: resourceUrl } = values;
  if (issuer === undefined) {
    const stray = (['MCP_RESOURCE_URL', 'OAUTH_SCOPES', 'OAUTH_JWKS_URL'] as const).filter((name) => values[name] !== undefined);
    if (stray.length > 0) throw new ConfigError(`invalid configuration: ${stray.join(', ')} need OAUTH_ISSUER`);
    return undefined;
  }
  if (values.MCP_AUTH_TOKEN !== undefined) {
    throw new ConfigError('invalid configuration: set either OAUTH_ISSUER or MCP_AUTH_TOKEN, not both');
  }
  if (resourceUrl === undefined) {
    throw new ConfigError('invalid configuration: OAUTH_ISSUER needs MCP_RESOURCE_URL (this server\'s public MCP URL, for example https://mcp.example.com/mcp)');
  }
  return { issuer, resourceUrl, scopes: values.OAUTH_SCOPES ?? [], jwksUrl: values.OAUTH_JWKS_URL };
}

function isSecureUrl(value: string): boolean {
  if (!URL.canParse(value) || value.includes('#')) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** `PORT=` in a .env file or manifest means "use the default", not "invalid". */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

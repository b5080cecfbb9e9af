import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { SECRET_SETTINGS, settingsSchema } from './settings.js';

/** The transports this server was generated with; the first is the default. */
export const TRANSPORTS = ["http"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the server knows of an environment variable besides how to parse it. */
interface Variable {
  name: string;
  description: string;
  /** Its value never appears in logs or error messages. */
  secret?: boolean;
}

const variables = z.registry<Variable>();

/** Binds a setting to the environment variable it is read from; `schema` parses the value and holds the default. */
function env<Schema extends z.ZodType>(name: string, description: string, schema: Schema, options: { secret?: boolean } = {}): Schema {
  variables.add(schema, { name, description, ...options });
  return schema;
}

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

/**
 * OAuth 2.1 resource server: with OAUTH_ISSUER set, MCP endpoints require the issuer's access
 * tokens. These four only make sense together, so `oauthConfig` checks them as a whole.
 */
const oauthSettings = z.object({
  issuer: env('OAUTH_ISSUER', "The authorization server's issuer URL (`iss` of its tokens).", httpsUrl.optional()),
  resourceUrl: env('MCP_RESOURCE_URL', "This server's canonical MCP URL: the published `resource`, and the audience a token must carry.", httpsUrl.optional()),
  scopes: env('OAUTH_SCOPES', 'Scopes every MCP request needs.', scopeList.optional()),
  jwksUrl: env('OAUTH_JWKS_URL', "The issuer's key set, when its metadata does not name one.", httpsUrl.optional()),
});

/**
 * Every setting the server reads, each declared once: the field of `Config` it becomes, the
 * environment variable behind it, what it means, how its value is checked and its default.
 * Read once at start-up. The README's configuration table is tested against this list.
 */
const configSchema = z
  .object({
    transport: env('MCP_TRANSPORT', 'The transport to serve.', z.enum(TRANSPORTS, { error: `must be one of ${TRANSPORTS.join(', ')}` }).default(TRANSPORTS[0])),
    logLevel: env('LOG_LEVEL', 'The least severe log level written (JSON lines on stderr).', z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info')),
    maxResultChars: env('MAX_RESULT_CHARS', "Cap on the text of one tool result, so no result floods the model's context.", integer(1_000, 10_000_000).default(8_000)),
    dataDir: env(
      'DATA_DIR',
      'Where the example notes are stored.',
      z.string().min(1).default(path.join(os.tmpdir(), 'example-http')).transform((dir) => path.resolve(dir)),
    ),
    shutdownTimeoutMs: env('SHUTDOWN_TIMEOUT_MS', 'How long a shutdown waits for in-flight tool calls before aborting them.', integer(0, 3_600_000).default(30_000)),
    toolsets: env(
      'MCP_TOOLSETS',
      'The tool groups to serve (see src/tools/toolsets.ts); unset serves them all.',
      z
        .string()
        .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
        .optional(),
    ),
    http: z.object({
      host: env('HOST', 'The address the HTTP server binds.', z.string().min(1).default('127.0.0.1')),
      port: env('PORT', 'The HTTP port.', integer(0, 65_535).default(3_000)),
      authToken: env(
        'MCP_AUTH_TOKEN',
        'When set, MCP endpoints require `Authorization: Bearer <token>`.',
        z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
        { secret: true },
      ),
      allowedHosts: env('ALLOWED_HOSTS', 'Host header names accepted on MCP endpoints (DNS-rebinding protection); `*` accepts any.', list.default(['localhost', '127.0.0.1', '[::1]'])),
      allowedOrigins: env('ALLOWED_ORIGINS', 'Origins accepted from browsers; requests without Origin always pass.', list.default(['localhost', '127.0.0.1', '[::1]'])),
      maxBodyBytes: env('MAX_BODY_BYTES', 'Cap on one request body.', integer(1_024, 100 * 1024 * 1024).default(1_048_576)),
      requestTimeoutMs: env('REQUEST_TIMEOUT_MS', "A request's headers and body must arrive within this long (slow-body protection).", integer(100, 3_600_000).default(30_000)),
      oauth: oauthSettings,
    }),
    streams: z.object({
      maxLifetimeMs: env('SSE_MAX_LIFETIME_MS', 'A stream is closed after this long.', integer(1_000, 7 * 24 * 3_600_000).default(3_600_000)),
      idleTimeoutMs: env('SSE_IDLE_TIMEOUT_MS', 'A stream with no traffic is closed after this long.', integer(1_000, 24 * 3_600_000).default(300_000)),
      heartbeatMs: env('SSE_HEARTBEAT_MS', 'Keep-alive comment interval on open streams.', integer(100, 3_600_000).default(15_000)),
      maxConnections: env('MAX_CONNECTIONS', 'Concurrent long-lived streams; beyond it a new one is refused.', integer(1, 1_000_000).default(1_000)),
    }),
    /** Your settings, declared in src/settings.ts: each key is the variable's name. */
    settings: settingsSchema,
  })
  // Runs only once every variable is valid on its own, so those problems are all reported first.
  .transform(({ http, ...config }) => ({ ...config, http: { ...http, oauth: oauthConfig(http.authToken, http.oauth) } }));

export type Config = z.output<typeof configSchema>;
/** Set when OAUTH_ISSUER is: MCP endpoints then accept only this issuer's access tokens for this server. */
export type OAuthConfig = NonNullable<Config['http']['oauth']>;

/** One environment variable as the server reads it (the README's table is tested against these). */
export interface EnvVariable {
  name: string;
  description: string;
  secret: boolean;
  /** Where the value lands in the parsed schema, e.g. `['http', 'port']`. */
  path: readonly string[];
  /** What the setting is when the variable is unset or empty; undefined when it is left unset. */
  defaultValue: unknown;
}

export const VARIABLES: readonly EnvVariable[] = variablesOf(configSchema);

/** The names of every variable the server reads (deployment tests check manifests against them). */
export const ENV_VARIABLES = VARIABLES.map((variable) => variable.name);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; a bad value throws a ConfigError naming every offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(schemaInput(configSchema, withoutEmptyValues(env)));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = VARIABLES.find((candidate) => candidate.path.every((key, index) => issue.path[index] === key));
      const name = variable?.name ?? issue.path.join('.');
      // Never echo a secret back into the logs.
      const got = variable?.secret ? 'a value' : JSON.stringify(env[name]);
      return `${name} ${issue.message} (got ${got})`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Lists the variables behind a schema's settings, each with the path of its setting. */
function variablesOf(schema: z.ZodType, path: readonly string[] = []): EnvVariable[] {
  const group = groupOf(schema);
  if (group) return fieldsOf(group).flatMap(([key, field]) => variablesOf(field, [...path, key]));
  const unset = schema.safeParse(undefined);
  return [{ ...variableOf(schema, path.at(-1) ?? ''), path, defaultValue: unset.success ? unset.data : undefined }];
}

/** The environment shaped like the schema: each variable's value placed where its setting is. */
function schemaInput(schema: z.ZodType, env: Record<string, string>, key = ''): unknown {
  const group = groupOf(schema);
  if (group) return Object.fromEntries(fieldsOf(group).map(([name, field]) => [name, schemaInput(field, env, name)]));
  return env[variableOf(schema, key).name];
}

/** The object behind a group of settings (a group with a transform after it is a pipe from one); undefined for a setting. */
function groupOf(schema: z.ZodType): z.ZodObject | undefined {
  if (variables.has(schema)) return undefined;
  const inner = schema instanceof z.ZodPipe ? schema.in : schema;
  return inner instanceof z.ZodObject ? inner : undefined;
}

function fieldsOf(group: z.ZodObject): [string, z.ZodType][] {
  return Object.entries(group.shape as Record<string, z.ZodType>);
}

/** A setting declared with `env(…)`, or one of src/settings.ts: those are named after their variable. */
function variableOf(schema: z.ZodType, key: string): Omit<EnvVariable, 'path' | 'defaultValue'> {
  const declared = variables.get(schema);
  if (declared) return { ...declared, secret: declared.secret === true };
  return { name: key, description: schema.description ?? '', secret: SECRET_SETTINGS.includes(key) };
}

/** OAuth settings only make sense together, and never next to the static MCP_AUTH_TOKEN. */
function oauthConfig(authToken: string | undefined, oauth: z.output<typeof oauthSettings>) {
  const { issuer, resourceUrl, scopes, jwksUrl } = oauth;
  if (issuer === undefined) {
    const stray = Object.entries({ MCP_RESOURCE_URL: resourceUrl, OAUTH_SCOPES: scopes, OAUTH_JWKS_URL: jwksUrl })
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name);
    if (stray.length > 0) throw new ConfigError(`invalid configuration: ${stray.join(', ')} need OAUTH_ISSUER`);
    return undefined;
  }
  if (authToken !== undefined) {
    throw new ConfigError('invalid configuration: set either OAUTH_ISSUER or MCP_AUTH_TOKEN, not both');
  }
  if (resourceUrl === undefined) {
    throw new ConfigError('invalid configuration: OAUTH_ISSUER needs MCP_RESOURCE_URL (this server\'s public MCP URL, for example https://mcp.example.com/mcp)');
  }
  return { issuer, resourceUrl, scopes: scopes ?? [], jwksUrl };
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

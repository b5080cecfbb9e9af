import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { SECRET_SETTINGS, settingsSchema, type Settings } from './settings.js';

/** The transports this server was generated with; the first is the default. */
export const TRANSPORTS = ["stdio"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

/** Every environment variable the server reads, in one place. Read once at start-up. */
const envSchema = z.object({
  MCP_TRANSPORT: z.enum(TRANSPORTS, { error: `must be one of ${TRANSPORTS.join(', ')}` }).default(TRANSPORTS[0]),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  MAX_RESULT_CHARS: integer(1_000, 10_000_000).default(8_000),
  DATA_DIR: z.string().min(1).default(path.join(os.tmpdir(), 'example-stdio')),
  SHUTDOWN_TIMEOUT_MS: integer(0, 3_600_000).default(30_000),
  MCP_TOOLSETS: z
    .string()
    .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
    .optional(),
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
  /** Your settings, declared in src/settings.ts. */
  settings: Settings;
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
    settings: pickSettings(values),
  };
}

function pickSettings(values: Record<string, unknown>): Settings {
  return Object.fromEntries(Object.keys(settingsSchema.shape).map((key) => [key, values[key]])) as Settings;
}

/** `PORT=` in a .env file or manifest means "use the default", not "invalid". */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

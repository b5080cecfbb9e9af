import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { SECRET_SETTINGS, settingsSchema } from './settings.js';

/** The transports this server was generated with; the first is the default. */
export const TRANSPORTS = ["stdio"] as const;
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
      z.string().min(1).default(path.join(os.tmpdir(), 'example-stdio')).transform((dir) => path.resolve(dir)),
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
    /** Your settings, declared in src/settings.ts: each key is the variable's name. */
    settings: settingsSchema,
  });

export type Config = z.output<typeof configSchema>;

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

/** `PORT=` in a .env file or manifest means "use the default", not "invalid". */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

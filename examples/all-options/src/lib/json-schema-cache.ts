import type * as z from 'zod';

type JsonSchema = Record<string, unknown>;
type Converter = z.ZodType['~standard']['jsonSchema'];

/**
 * Makes `schema` convert itself to JSON Schema once per process instead of once per server
 * instance, and returns it.
 *
 * The SDK converts a tool's zod schemas to JSON Schema for `tools/list`, and on every `tools/call`
 * too (to check `Mcp-Param-*` headers against the input, to project the result against the
 * output). It remembers the conversion only for the life of one server instance, and stateless
 * HTTP builds an instance per request, so each call would pay for a conversion whose answer never
 * changes: the schemas are built once, at module load. The answers are frozen, because every
 * request now shares them: nothing one request does can change what the next one sees.
 */
export function withCachedJsonSchema<Schema extends z.ZodType>(schema: Schema): Schema {
  const standard = schema['~standard'];
  const convert = standard.jsonSchema;
  const cache = new Map<string, JsonSchema>();
  const cached =
    (io: 'input' | 'output'): Converter['input'] =>
    (options) => {
      const key = `${io} ${options.target} ${JSON.stringify(options.libraryOptions ?? {})}`;
      let json = cache.get(key);
      if (json === undefined) {
        json = deepFreeze(convert[io](options));
        cache.set(key, json);
      }
      return json;
    };
  // zod lets `~standard` be replaced (its setter stores an own property); validation is untouched.
  schema['~standard'] = { ...standard, jsonSchema: { input: cached('input'), output: cached('output') } };
  return schema;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

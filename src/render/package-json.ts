type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Deep-merges `package.json` fragments: objects merge key by key, anything else is replaced by the later layer. */
export function mergePackageJson(fragments: readonly JsonObject[]): JsonObject {
  const merged = fragments.reduce<JsonObject>((acc, fragment) => mergeObjects(acc, fragment), {});
  for (const key of DEPENDENCY_KEYS) {
    const deps = merged[key];
    if (isObject(deps)) merged[key] = sortKeys(deps);
  }
  return merged;
}

export function parsePackageFragment(text: string, file: string): JsonObject {
  const value: unknown = JSON.parse(text);
  if (!isObject(value as Json)) throw new Error(`${file}: a package.json fragment must be a JSON object`);
  return value as JsonObject;
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const DEPENDENCY_KEYS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

function mergeObjects(base: JsonObject, override: JsonObject): JsonObject {
  const result: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] = isObject(current) && isObject(value) ? mergeObjects(current, value) : value;
  }
  return result;
}

function sortKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

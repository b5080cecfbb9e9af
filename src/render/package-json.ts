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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
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
    const current = Object.hasOwn(result, key) ? result[key] : undefined;
    // defineProperty, not assignment: a "__proto__" key must stay a plain key.
    Object.defineProperty(result, key, {
      value: isObject(current) && isObject(value) ? mergeObjects(current, value) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

function sortKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rows as plain JSON: binary columns as `\\x…` hex (as psql shows them) instead of
 * `{"type":"Buffer","data":[…]}`, bigints as strings; dates become ISO strings through JSON.
 */
export function toJsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) result[key] = toJsonValue(value);
  return result;
}

function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  return value;
}

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tool } from '@modelcontextprotocol/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTools } from '../../scripts/tool-audit.js';

/** Every `pattern` and `patternProperties` key anywhere in a JSON Schema, with where it was found. */
function patternsIn(schema: unknown, at = '#'): { at: string; pattern: string }[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const found: { at: string; pattern: string }[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'pattern' && typeof value === 'string') found.push({ at, pattern: value });
    if (key === 'patternProperties' && typeof value === 'object' && value !== null) {
      for (const pattern of Object.keys(value)) found.push({ at: `${at}/patternProperties`, pattern });
    }
    found.push(...patternsIn(value, `${at}/${key}`));
  }
  return found;
}

let listed: Tool[];
beforeAll(async () => {
  listed = await listTools({});
});

describe('tool schemas as tools/list sends them', () => {
  it('use only regular expressions every common validator accepts (no Unicode-only syntax)', () => {
    // JSON Schema patterns are ECMA-262 in theory; in practice Python's `re` and `jsonschema`, Go
    // and others compile them with their own engines: no `\p{…}` classes, and valid without the `u` flag.
    for (const tool of listed) {
      for (const { at, pattern } of [...patternsIn(tool.inputSchema, 'input'), ...patternsIn(tool.outputSchema, 'output')]) {
        expect(pattern, `${tool.name} ${at}`).not.toMatch(/\\[pP]\{/);
        expect(() => new RegExp(pattern), `${tool.name} ${at}: ${pattern}`).not.toThrow();
      }
    }
  });

  it('finds a Unicode property class if one is sent', () => {
    expect(patternsIn({ properties: { note: { type: 'string', pattern: '^[\\p{L}]+$' } } })).toEqual([
      { at: '#/properties/note', pattern: '^[\\p{L}]+$' },
    ]);
  });

  it('give structured output an object schema (structuredContent must be an object)', () => {
    for (const tool of listed) {
      if (tool.outputSchema) expect(tool.outputSchema.type, tool.name).toBe('object');
    }
  });

  // What clients see is reviewed like code: each tool's definition is kept in test/tools/toolsnaps/.
  // After an intended change, run `npx vitest run test/tools/schemas.test.ts -u` and commit the files.
  it('match their snapshots in test/tools/toolsnaps/', async () => {
    for (const tool of listed) {
      await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(`./toolsnaps/${tool.name}.json`);
    }
  });

  it('have no snapshot left over from a removed tool', async () => {
    const folder = fileURLToPath(new URL('./toolsnaps/', import.meta.url));
    const files = (await readdir(folder)).filter((file) => file.endsWith('.json'));
    // A missing snapshot fails the test above (and is written by `-u`); a stale one fails here.
    const expected = new Set(listed.map((tool) => `${tool.name}.json`));
    expect(files.filter((file) => !expected.has(file))).toEqual([]);
    for (const file of files) JSON.parse(await readFile(path.join(folder, file), 'utf8'));
  });
});

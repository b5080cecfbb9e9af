import { describe, expect, it } from 'vitest';
import { formatJson, mergePackageJson, parsePackageFragment } from '../../src/render/package-json.js';

describe('mergePackageJson', () => {
  it('deep-merges objects key by key across layers', () => {
    const merged = mergePackageJson([
      { name: 'demo', scripts: { build: 'tsc', test: 'vitest run' }, dependencies: { zod: '4.0.0' } },
      { scripts: { start: 'node dist/index.js' }, dependencies: { pino: '10.0.0' } },
      { dependencies: { pg: '8.0.0' } },
    ]);
    expect(merged).toEqual({
      name: 'demo',
      scripts: { build: 'tsc', test: 'vitest run', start: 'node dist/index.js' },
      dependencies: { pg: '8.0.0', pino: '10.0.0', zod: '4.0.0' },
    });
  });

  it('a later layer replaces scalars and arrays instead of merging them', () => {
    const merged = mergePackageJson([
      { version: '0.1.0', files: ['dist'], scripts: { test: 'a' } },
      { version: '0.2.0', files: ['build'], scripts: { test: 'b' } },
    ]);
    expect(merged).toEqual({ version: '0.2.0', files: ['build'], scripts: { test: 'b' } });
  });

  it('a later object replaces an earlier scalar and vice versa', () => {
    expect(mergePackageJson([{ bin: 'x.js' }, { bin: { x: 'x.js' } }])).toEqual({ bin: { x: 'x.js' } });
    expect(mergePackageJson([{ bin: { x: 'x.js' } }, { bin: 'x.js' }])).toEqual({ bin: 'x.js' });
  });

  it('sorts the keys of every dependency field', () => {
    const merged = mergePackageJson([
      {
        dependencies: { zod: '1', '@scope/b': '1', alpha: '1', Zeta: '1' },
        devDependencies: { vitest: '1', '@types/node': '1' },
        peerDependencies: { b: '1', a: '1' },
        optionalDependencies: { y: '1', x: '1' },
      },
    ]);
    expect(Object.keys(merged.dependencies as object)).toEqual(['@scope/b', 'Zeta', 'alpha', 'zod']);
    expect(Object.keys(merged.devDependencies as object)).toEqual(['@types/node', 'vitest']);
    expect(Object.keys(merged.peerDependencies as object)).toEqual(['a', 'b']);
    expect(Object.keys(merged.optionalDependencies as object)).toEqual(['x', 'y']);
  });

  it('keeps the order of other keys as the layers introduced them', () => {
    const merged = mergePackageJson([
      { name: 'demo', scripts: { build: 'tsc', test: 't' } },
      { version: '1.0.0', scripts: { dev: 'd' } },
    ]);
    expect(Object.keys(merged)).toEqual(['name', 'scripts', 'version']);
    expect(Object.keys(merged.scripts as object)).toEqual(['build', 'test', 'dev']);
  });

  it('does not modify its input fragments', () => {
    const first = { scripts: { build: 'tsc' }, dependencies: { b: '1', a: '1' } };
    const second = { scripts: { start: 'node .' } };
    const copy = structuredClone([first, second]);
    mergePackageJson([first, second]);
    expect([first, second]).toEqual(copy);
    expect(Object.keys(first.dependencies)).toEqual(['b', 'a']);
  });

  it('gives an empty object for no fragments', () => {
    expect(mergePackageJson([])).toEqual({});
  });
});

describe('mergePackageJson: hostile keys', () => {
  it('keeps a "__proto__" key as a plain key instead of changing the prototype', () => {
    const merged = mergePackageJson([JSON.parse('{"__proto__": {"x": 1}, "name": "a"}') as Record<string, never>]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['__proto__', 'name']);
  });
});

describe('parsePackageFragment', () => {
  it('parses a JSON object', () => {
    expect(parsePackageFragment('{"name":"demo","private":true}', 'base/package.json')).toEqual({ name: 'demo', private: true });
  });

  it.each(['[]', '"text"', '42', 'null', 'true'])('rejects %s, naming the file', (text) => {
    expect(() => parsePackageFragment(text, 'stdio/package.json')).toThrow(/^stdio\/package\.json: a package\.json fragment must be a JSON object$/);
  });

  it('rejects invalid JSON, naming the template', () => {
    expect(() => parsePackageFragment('{"name":', 'base/package.json.hbs')).toThrow(/^base\/package\.json\.hbs: invalid JSON/);
  });
});

describe('formatJson', () => {
  it('indents with two spaces and ends with one newline', () => {
    expect(formatJson({ a: 1, b: { c: [1, 2] } })).toBe('{\n  "a": 1,\n  "b": {\n    "c": [\n      1,\n      2\n    ]\n  }\n}\n');
  });

  it('does not escape & < > in strings', () => {
    expect(formatJson({ description: 'A & B <demo>' })).toContain('"A & B <demo>"');
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers.js';
import { MANIFEST_FILE, ManifestError, createManifest, hashContent, parseManifest, serializeManifest } from '../../src/render/manifest.js';

const answers: Answers = { name: 'demo', description: 'A & B', transports: ['stdio', 'http', 'sse'], db: 'postgres' };
const generator = { name: 'create-mcp-prod', version: '9.9.9' };

describe('hashContent', () => {
  it('is sha256: plus the hex digest (known vector)', () => {
    expect(hashContent('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes a string as its UTF-8 bytes, like the file written from it', () => {
    const content = 'héllo ✔ — «x»\n';
    expect(hashContent(content)).toBe(hashContent(Buffer.from(content, 'utf8')));
    expect(hashContent(content)).toBe(`sha256:${createHash('sha256').update(Buffer.from(content, 'utf8')).digest('hex')}`);
  });

  it('differs when one byte differs', () => {
    expect(hashContent('a\n')).not.toBe(hashContent('a\r\n'));
  });
});

describe('createManifest', () => {
  const files = new Map<string, string | Uint8Array>([
    ['src/index.ts', 'index'],
    ['.gitignore', 'node_modules/\n'],
    ['README.md', 'readme'],
    ['package.json', Buffer.from('{}\n')],
  ]);

  it('records the generator, version and answers', () => {
    const manifest = createManifest(generator, answers, files);
    expect(manifest.generator).toBe('create-mcp-prod');
    expect(manifest.version).toBe('9.9.9');
    expect(manifest.answers).toEqual(answers);
  });

  it('lists every file, sorted by code unit, with its owner and hash', () => {
    const manifest = createManifest(generator, answers, files);
    expect(Object.keys(manifest.files)).toEqual(['.gitignore', 'README.md', 'package.json', 'src/index.ts']);
    for (const [file, content] of files) expect(manifest.files[file]?.hash).toBe(hashContent(content));
    expect(manifest.files['src/index.ts']?.owner).toBe('managed');
    expect(manifest.files['README.md']?.owner).toBe('user');
  });

  it('copies the answers, so later changes to the input do not leak in', () => {
    const input: Answers = { ...answers, transports: ['stdio'] };
    const manifest = createManifest(generator, input, files);
    input.transports.push('http');
    expect(manifest.answers.transports).toEqual(['stdio']);
  });

  it('records only the answer keys, in a fixed order', () => {
    const extra = { ...answers, secret: 'x' } as Answers;
    const manifest = createManifest(generator, extra, files);
    expect(Object.keys(manifest.answers)).toEqual(['name', 'description', 'transports', 'db']);
  });

  it('does not depend on the insertion order of the files', () => {
    const reversed = new Map([...files.entries()].reverse());
    expect(serializeManifest(createManifest(generator, answers, reversed))).toBe(serializeManifest(createManifest(generator, answers, files)));
  });
});

describe('serializeManifest', () => {
  it('is pretty JSON with a trailing newline that parses back to the manifest', () => {
    const manifest = createManifest(generator, answers, new Map([['a.txt', 'a']]));
    const text = serializeManifest(manifest);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "generator": "create-mcp-prod",\n');
    expect(JSON.parse(text)).toEqual(manifest);
  });

  it('is stored as .mcp-prod.json', () => {
    expect(MANIFEST_FILE).toBe('.mcp-prod.json');
  });
});

describe('parseManifest', () => {
  it('reads back what serializeManifest wrote', () => {
    const manifest = createManifest(generator, answers, new Map([['src/tools/index.ts', 'x'], ['src/index.ts', 'y']]));
    expect(parseManifest(serializeManifest(manifest))).toEqual(manifest);
  });

  it('reads a 0.1.0 manifest (bare hashes), taking owners from the rules', () => {
    const old = { generator: 'create-mcp-prod', version: '0.1.0', answers, files: { 'src/index.ts': 'sha256:1', 'src/settings.ts': 'sha256:2' } };
    expect(parseManifest(JSON.stringify(old)).files).toEqual({
      'src/index.ts': { owner: 'managed', hash: 'sha256:1' },
      'src/settings.ts': { owner: 'user', hash: 'sha256:2' },
    });
  });

  it('reads a manifest saved with a UTF-8 byte order mark', () => {
    const manifest = createManifest(generator, answers, new Map([['src/index.ts', 'y']]));
    expect(parseManifest(`\uFEFF${serializeManifest(manifest)}`)).toEqual(manifest);
  });

  it('holds the recorded answers to the rules create applies, naming the field', () => {
    const withAnswers = (changed: Record<string, unknown>) => JSON.stringify({ version: '1.0.0', answers: { ...answers, ...changed }, files: {} });
    expect(() => parseManifest(withAnswers({ name: 5 }))).toThrow(new ManifestError('.mcp-prod.json answers: "name" must be a string'));
    expect(() => parseManifest(withAnswers({ transports: 'stdio' }))).toThrow(/"transports" must be a list of strings/);
    expect(() => parseManifest(withAnswers({ transports: [] }))).toThrow(ManifestError);
    expect(() => parseManifest(withAnswers({ db: 'mysql' }))).toThrow(/invalid --db value "mysql"/);
    expect(() => parseManifest(withAnswers({ description: '' }))).toThrow(/invalid --description/);
    expect(() => parseManifest(JSON.stringify({ version: '1.0.0', answers: { name: 'demo' }, files: {} }))).toThrow(/answers lack "description"/);
  });

  it('refuses a version that is not a release version: it becomes an npm spec and a cache path', () => {
    const withVersion = (version: string) => JSON.stringify({ version, answers, files: {} });
    for (const version of ['../../../../tmp/escaped', 'file:/tmp/evil', 'github:evil/repo', '1.0', 'latest', '1.0.0 ', '01.0.0', '']) {
      expect(() => parseManifest(withVersion(version)), version).toThrow(/"version" must be a create-mcp-prod version like 1\.2\.3/);
    }
    for (const version of ['0.1.0', '10.20.30', '1.0.0-rc.1', '1.0.0-alpha-2+build.5']) expect(parseManifest(withVersion(version)).version).toBe(version);
  });

  it('keeps top-level keys it does not know (a user’s, a newer version’s) when written back', () => {
    const manifest = createManifest(generator, answers, new Map([['src/index.ts', 'y']]));
    const text = JSON.stringify({ ...manifest, team: 'payments', toolsets: { a: ['x'] }, ['__proto__']: { polluted: true } });
    const parsed = parseManifest(text);
    expect(parsed.otherKeys).toEqual({ team: 'payments', toolsets: { a: ['x'] }, ['__proto__']: { polluted: true } });
    expect(JSON.parse(serializeManifest(parsed))).toEqual(JSON.parse(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what is not a manifest, in one line', () => {
    expect(() => parseManifest('{')).toThrow(ManifestError);
    expect(() => parseManifest('{"version":"1"}')).toThrow(/lacks version, answers or files/);
  });
});

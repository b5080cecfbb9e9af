import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers.js';
import { MANIFEST_FILE, hashContent, type Manifest } from '../../src/render/manifest.js';
import { RENAMED_TEMPLATE_SEGMENTS, outputPathFor } from '../../src/render/overlays.js';
import { renderRepo, type RenderedFiles } from '../../src/steps/render.js';
import { generatorPackage } from '../../src/version.js';
import { readTree, text, useTempDirs, writeTree } from '../helpers/fs.js';

const tempDir = useTempDirs();

function answers(overrides: Partial<Answers> = {}): Answers {
  return { name: 'demo', description: 'A & B <demo>', transports: ['stdio'], db: 'none', ...overrides };
}

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x7b, 0x7b]);

/** A small overlay tree exercising every trap. */
async function writeFixture(root: string): Promise<void> {
  await writeTree(root, {
    'base/_gitignore': 'node_modules/\ndist/\n',
    'base/_github/workflows/ci.yml': 'jobs:\n  test:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: ${{ matrix.node }}\n',
    'base/_github/workflows/release.yml.hbs': 'name: release {{name}}\nnode-version: $\\{{ matrix.node }}\n',
    'base/.hidden': 'a real dotfile\n',
    'base/test/__fixtures__/_data.json': '{}\n',
    'base/src/a.ts.hbs': "export const name = '{{name}}';\nexport const description = '{{description}}';\n",
    'base/src/raw.ts': "export const raw = '{{name}}';\n",
    'base/notes.md.hbs.hbs': '{{name}} notes\n',
    'base/override.txt': 'from base\n',
    'base/only-base.txt': 'base\n',
    'base/logo.bin': BINARY,
    'base/package.json.hbs': JSON.stringify({
      name: '{{name}}',
      description: '{{description}}',
      scripts: { build: 'tsc' },
      dependencies: { zod: '4.0.0', alpha: '1.0.0' },
      devDependencies: { vitest: '4.0.0' },
    }),
    'stdio/override.txt': 'from stdio\n',
    'stdio/src/transports/stdio.ts': 'stdio\n',
    'stdio/package.json': JSON.stringify({ scripts: { start: 'node dist/index.js' }, dependencies: { beta: '2.0.0' } }),
    'http/override.txt': 'from http\n',
    'http/src/transports/http.ts.hbs': 'http for {{name}}\n',
    'http/package.json': JSON.stringify({ dependencies: { express: '5.0.0' }, scripts: { build: 'tsc -b' } }),
    'sse/src/transports/sse.ts': 'sse\n',
    'db-postgres/package.json': JSON.stringify({ dependencies: { pg: '8.0.0' } }),
    'db-postgres/src/db.ts': 'db\n',
    'deploy/Dockerfile.hbs': '# image for {{name}}\n',
    'deploy-http/deploy/k8s/service.yaml.hbs': 'name: {{name}}\n',
  });
}

async function fixtureTemplates(): Promise<string> {
  const root = await tempDir();
  await writeFixture(root);
  return root;
}

describe('renderRepo with a fixture templates folder', () => {
  let files: RenderedFiles;

  beforeAll(async () => {
    // Made by hand: the per-test cleanup of useTempDirs would remove it after the first test.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'create-mcp-prod-fixture-'));
    await writeFixture(dir);
    files = await renderRepo({ answers: answers(), templatesRoot: dir });
    return async () => {
      await rm(dir, { recursive: true, force: true });
    };
  });

  it('trap: dotfiles — _gitignore becomes .gitignore', () => {
    expect(text(files.get('.gitignore'))).toBe('node_modules/\ndist/\n');
    expect(files.has('_gitignore')).toBe(false);
  });

  it('trap: dotfiles — _github/workflows/ci.yml becomes .github/workflows/ci.yml', () => {
    expect(files.has('.github/workflows/ci.yml')).toBe(true);
    expect([...files.keys()].some((file) => file.startsWith('_github'))).toBe(false);
  });

  it('trap: dotfiles — other _-prefixed names are kept: __fixtures__/_data.json stays as it is', () => {
    expect(text(files.get('test/__fixtures__/_data.json'))).toBe('{}\n');
    expect([...files.keys()].some((file) => file.includes('._'))).toBe(false);
  });

  it('trap: dotfiles — a real .hidden file in a layer is picked up too (node-plop addMany would drop it)', () => {
    expect(text(files.get('.hidden'))).toBe('a real dotfile\n');
  });

  it('trap: .hbs suffix — a.ts.hbs is rendered to a.ts', () => {
    expect(text(files.get('src/a.ts'))).toBe("export const name = 'demo';\nexport const description = 'A & B <demo>';\n");
    expect(files.has('src/a.ts.hbs')).toBe(false);
  });

  it('trap: .hbs suffix — only one .hbs is stripped (notes.md.hbs.hbs → notes.md.hbs)', () => {
    expect(text(files.get('notes.md.hbs'))).toBe('demo notes\n');
  });

  it('trap: .hbs suffix — no output path keeps a .hbs suffix except the double-suffixed one', () => {
    expect([...files.keys()].filter((file) => file.endsWith('.hbs'))).toEqual(['notes.md.hbs']);
  });

  it('trap: only .hbs files are rendered — a plain file containing {{name}} is copied verbatim', () => {
    expect(text(files.get('src/raw.ts'))).toBe("export const raw = '{{name}}';\n");
  });

  it('trap: binary files are copied byte for byte', () => {
    const content = files.get('logo.bin');
    expect(Buffer.isBuffer(content)).toBe(true);
    expect(Buffer.compare(content as Buffer, BINARY)).toBe(0);
  });

  it('trap: no HTML escaping — & < > come out raw', () => {
    expect(text(files.get('src/a.ts'))).toContain('A & B <demo>');
    expect(text(files.get('src/a.ts'))).not.toContain('&amp;');
    expect(text(files.get('src/a.ts'))).not.toContain('&lt;');
  });

  it('trap: GitHub Actions — ${{ matrix.node }} in a non-.hbs file comes out intact', () => {
    expect(text(files.get('.github/workflows/ci.yml'))).toContain('\n          node-version: ${{ matrix.node }}\n');
  });

  it('trap: GitHub Actions — $\\{{ matrix.node }} in a .hbs file comes out as ${{ matrix.node }}', () => {
    expect(text(files.get('.github/workflows/release.yml'))).toBe('name: release demo\nnode-version: ${{ matrix.node }}\n');
  });

  it('trap: layers — a later layer overrides an earlier file at the same path', () => {
    expect(text(files.get('override.txt'))).toBe('from stdio\n');
  });

  it('trap: package.json — fragments from several layers are deep-merged and dependencies sorted', () => {
    const pkg = JSON.parse(text(files.get('package.json'))) as { name: string; dependencies: Record<string, string> };
    expect(pkg.name).toBe('demo');
    expect(pkg.dependencies).toEqual({ alpha: '1.0.0', beta: '2.0.0', zod: '4.0.0' });
    expect(pkg).toMatchObject({ description: 'A & B <demo>', scripts: { build: 'tsc', start: 'node dist/index.js' } });
    expect(Object.keys(pkg.dependencies)).toEqual(['alpha', 'beta', 'zod']);
    expect(text(files.get('package.json')).endsWith('}\n')).toBe(true);
  });

  it('writes the manifest last, listing every other file with a matching sha256 hash', () => {
    expect([...files.keys()].at(-1)).toBe(MANIFEST_FILE);
    const manifest = JSON.parse(text(files.get(MANIFEST_FILE))) as Manifest;
    const others = [...files.keys()].filter((file) => file !== MANIFEST_FILE).sort();
    expect(Object.keys(manifest.files).sort()).toEqual(others);
    for (const file of others) {
      const content = files.get(file);
      expect(content).toBeDefined();
      expect(manifest.files[file]?.hash).toBe(hashContent(content as string | Buffer));
      expect(manifest.files[file]?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(manifest.files).not.toHaveProperty(MANIFEST_FILE);
  });

  it('records the generator, its version and the answers in the manifest', () => {
    const manifest = JSON.parse(text(files.get(MANIFEST_FILE))) as Manifest;
    expect(manifest.generator).toBe(generatorPackage().name);
    expect(manifest.version).toBe(generatorPackage().version);
    expect(manifest.answers).toEqual(answers());
  });

  it('produces exactly the expected file set', () => {
    expect([...files.keys()].sort()).toEqual(
      [
        '.github/workflows/ci.yml',
        '.github/workflows/release.yml',
        '.gitignore',
        '.hidden',
        '.mcp-prod.json',
        'Dockerfile',
        'logo.bin',
        'notes.md.hbs',
        'only-base.txt',
        'override.txt',
        'package.json',
        'src/a.ts',
        'src/raw.ts',
        'src/transports/stdio.ts',
        'test/__fixtures__/_data.json',
      ].sort(),
    );
  });
});

describe('renderRepo: layers picked from the answers', () => {
  it('applies transports in the given order: the last one wins an override', async () => {
    const root = await fixtureTemplates();
    const stdioLast = await renderRepo({ answers: answers({ transports: ['http', 'stdio'] }), templatesRoot: root });
    const httpLast = await renderRepo({ answers: answers({ transports: ['stdio', 'http'] }), templatesRoot: root });
    expect(text(stdioLast.get('override.txt'))).toBe('from stdio\n');
    expect(text(httpLast.get('override.txt'))).toBe('from http\n');
  });

  it('includes only the chosen layers', async () => {
    const root = await fixtureTemplates();
    const files = await renderRepo({ answers: answers({ transports: ['stdio'] }), templatesRoot: root });
    expect(files.has('src/transports/stdio.ts')).toBe(true);
    expect(files.has('src/transports/http.ts')).toBe(false);
    expect(files.has('src/transports/sse.ts')).toBe(false);
    expect(files.has('src/db.ts')).toBe(false);
    expect(files.has('only-base.txt')).toBe(true);
    expect(text(files.get('Dockerfile'))).toBe('# image for demo\n');
    expect(files.has('deploy/k8s/service.yaml')).toBe(false);
  });

  it('adds db-postgres for db: postgres and merges its package.json with every transport layer', async () => {
    const root = await fixtureTemplates();
    const files = await renderRepo({ answers: answers({ transports: ['stdio', 'http', 'sse'], db: 'postgres' }), templatesRoot: root });
    expect(text(files.get('src/db.ts'))).toBe('db\n');
    expect(text(files.get('src/transports/http.ts'))).toBe('http for demo\n');
    expect(files.has('src/transports/sse.ts')).toBe(true);
    expect(text(files.get('deploy/k8s/service.yaml'))).toBe('name: demo\n');
    const pkg = JSON.parse(text(files.get('package.json'))) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).toEqual(['alpha', 'beta', 'express', 'pg', 'zod']);
    expect(pkg.scripts).toEqual({ build: 'tsc -b', start: 'node dist/index.js' });
    expect(pkg.devDependencies).toEqual({ vitest: '4.0.0' });
  });

  it('rejects when a chosen layer does not exist', async () => {
    const root = await fixtureTemplates();
    await rm(path.join(root, 'sse'), { recursive: true });
    await expect(renderRepo({ answers: answers({ transports: ['http', 'sse'] }), templatesRoot: root })).rejects.toThrow(/missing template layer/);
  });
});

describe('renderRepo: strict rendering', () => {
  it('trap: strict — a template referencing a missing variable rejects, naming the template file', async () => {
    const root = await fixtureTemplates();
    await writeTree(root, { 'stdio/src/broken.ts.hbs': 'export const x = {{json nme.first}};\n' });
    await expect(renderRepo({ answers: answers(), templatesRoot: root })).rejects.toThrow(/template stdio\/src\/broken\.ts\.hbs: /);
  });

  it('trap: strict — a missing variable in a package.json fragment rejects, naming it', async () => {
    const root = await fixtureTemplates();
    await writeTree(root, { 'stdio/package.json.hbs': '{"version": "{{versoin}}"}' });
    await expect(renderRepo({ answers: answers(), templatesRoot: root })).rejects.toThrow(/stdio\/package\.json\.hbs/);
  });

  it('trap: GitHub Actions — an unescaped ${{ matrix.node }} in a .hbs file is a strict failure, not a silent blank', async () => {
    const root = await fixtureTemplates();
    await writeTree(root, { 'base/_github/workflows/bad.yml.hbs': 'node-version: ${{ matrix.node }}\n' });
    await expect(renderRepo({ answers: answers(), templatesRoot: root })).rejects.toThrow(/base\/_github\/workflows\/bad\.yml\.hbs/);
  });

  it('rejects a package.json fragment that is not a JSON object', async () => {
    const root = await fixtureTemplates();
    await writeTree(root, { 'stdio/package.json': '["not", "an", "object"]' });
    await expect(renderRepo({ answers: answers(), templatesRoot: root })).rejects.toThrow(/stdio\/package\.json: a package\.json fragment must be a JSON object/);
  });

  it('does not write the manifest when rendering fails', async () => {
    const root = await fixtureTemplates();
    await writeTree(root, { 'base/zz.txt.hbs': '{{missing}}' });
    const dest = await tempDir();
    await expect(renderRepo({ answers: answers(), templatesRoot: root, destDir: dest })).rejects.toThrow(/base\/zz\.txt\.hbs/);
    const written = await readTree(dest);
    expect(written.has(MANIFEST_FILE)).toBe(false);
    expect(written.has('zz.txt')).toBe(false);
  });
});

describe('renderRepo: writing and determinism', () => {
  it('writes to destDir exactly what it returns, and nothing else', async () => {
    const root = await fixtureTemplates();
    const dest = await tempDir();
    const files = await renderRepo({ answers: answers({ transports: ['stdio', 'http'] }), templatesRoot: root, destDir: dest });
    const written = await readTree(dest);
    expect([...written.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [file, content] of files) {
      const expected = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      expect(Buffer.compare(written.get(file) as Buffer, expected), file).toBe(0);
    }
  });

  it('trap: determinism — rendering the same answers twice gives byte-identical files', async () => {
    const root = await fixtureTemplates();
    const first = await tempDir();
    const second = await tempDir();
    const input = answers({ transports: ['stdio', 'http', 'sse'], db: 'postgres' });
    await renderRepo({ answers: input, templatesRoot: root, destDir: first });
    await renderRepo({ answers: input, templatesRoot: root, destDir: second });
    const a = await readTree(first);
    const b = await readTree(second);
    expect([...a.keys()]).toEqual([...b.keys()]);
    expect(a.size).toBeGreaterThan(5);
    for (const [file, content] of a) expect(Buffer.compare(content, b.get(file) as Buffer), file).toBe(0);
  });

  it('the manifest on disk hashes every file on disk except itself', async () => {
    const root = await fixtureTemplates();
    const dest = await tempDir();
    await renderRepo({ answers: answers(), templatesRoot: root, destDir: dest });
    const written = await readTree(dest);
    const manifest = JSON.parse((written.get(MANIFEST_FILE) as Buffer).toString('utf8')) as Manifest;
    const others = [...written.keys()].filter((file) => file !== MANIFEST_FILE);
    expect(Object.keys(manifest.files)).toEqual(others.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    for (const file of others) expect(manifest.files[file]?.hash, file).toBe(hashContent(written.get(file) as Buffer));
  });
});

describe('renderRepo with the real templates', () => {
  const realAnswers: Answers = { name: 'demo', description: 'A & B <demo>', transports: ['stdio'], db: 'none' };
  let files: RenderedFiles;

  beforeAll(async () => {
    files = await renderRepo({ answers: realAnswers });
  });

  it('renders in memory the files every stdio server needs', () => {
    for (const file of ['package.json', '.gitignore', 'src/index.ts', 'src/config.ts', 'src/transports/stdio.ts', '.mcp-prod.json']) {
      expect(files.has(file), file).toBe(true);
    }
  });

  it('trap: dotfiles — no stored dotfile name and no .hbs suffix reaches the output', () => {
    for (const file of files.keys()) {
      expect(file.split('/').some((segment) => RENAMED_TEMPLATE_SEGMENTS.has(segment)), file).toBe(false);
      expect(file.endsWith('.hbs'), file).toBe(false);
    }
  });

  it('package.json parses and has the name and raw description', () => {
    const pkg = JSON.parse(text(files.get('package.json'))) as { name: string; description: string };
    expect(pkg.name).toBe('demo');
    expect(pkg.description).toBe('A & B <demo>');
  });

  it('package.json pins every dependency to an exact version (no ^ or ~)', () => {
    const pkg = JSON.parse(text(files.get('package.json'))) as Record<string, unknown>;
    let count = 0;
    for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = (pkg[key] ?? {}) as Record<string, string>;
      for (const [dep, version] of Object.entries(deps)) {
        count += 1;
        expect(version, `${key}.${dep}`).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it('package.json lists dependency keys sorted', () => {
    const pkg = JSON.parse(text(files.get('package.json'))) as Record<string, Record<string, string> | undefined>;
    for (const key of ['dependencies', 'devDependencies']) {
      const names = Object.keys(pkg[key] ?? {});
      expect(names, key).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  it('src/config.ts is rendered for the stdio-only answers', () => {
    const config = text(files.get('src/config.ts'));
    expect(config).toContain('export const TRANSPORTS = ["stdio"] as const;');
    expect(config).not.toContain('{{');
    expect(config).not.toMatch(/^\s*(HOST|PORT):/m);
  });

  it('.gitignore comes from the _gitignore template byte for byte', async () => {
    const templatesRoot = fileURLToPath(new URL('../../templates/', import.meta.url));
    expect(text(files.get('.gitignore'))).toBe(await readFile(path.join(templatesRoot, 'base', '_gitignore'), 'utf8'));
  });

  it('copies every non-.hbs template file verbatim', async () => {
    const templatesRoot = fileURLToPath(new URL('../../templates/', import.meta.url));
    const base = await readTree(path.join(templatesRoot, 'base'));
    const stdio = await readTree(path.join(templatesRoot, 'stdio'));
    const layered = new Map([...base, ...stdio]);
    let compared = 0;
    for (const [template, content] of layered) {
      if (template.endsWith('.hbs')) continue;
      const { target } = outputPathFor(template);
      if (target === 'package.json') continue;
      const rendered = files.get(target);
      expect(rendered, target).toBeDefined();
      expect(Buffer.compare(Buffer.from(rendered as Buffer), content), target).toBe(0);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('the manifest lists every file except itself with a matching hash', () => {
    const manifest = JSON.parse(text(files.get(MANIFEST_FILE))) as Manifest;
    expect(manifest.answers).toEqual(realAnswers);
    const others = [...files.keys()].filter((file) => file !== MANIFEST_FILE).sort();
    expect(Object.keys(manifest.files).sort()).toEqual(others);
    for (const file of others) expect(manifest.files[file]?.hash, file).toBe(hashContent(files.get(file) as string | Buffer));
  });

  it('trap: determinism — a second render of the real templates is byte-identical', async () => {
    const again = await renderRepo({ answers: realAnswers });
    expect([...again.keys()]).toEqual([...files.keys()]);
    for (const [file, content] of files) {
      const other = again.get(file);
      expect(Buffer.compare(Buffer.from(other as Buffer | string), Buffer.from(content)), file).toBe(0);
    }
  });
});

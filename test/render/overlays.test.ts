import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers.js';
import { RENAMED_TEMPLATE_SEGMENTS, compareStrings, layersFor, outputPathFor, planOverlays } from '../../src/render/overlays.js';
import { useTempDirs, writeTree } from '../helpers/fs.js';

const tempDir = useTempDirs();

function answers(overrides: Partial<Answers> = {}): Answers {
  return { name: 'demo', description: 'd', transports: ['stdio'], db: 'none', ...overrides };
}

describe('layersFor', () => {
  it('is base plus the transports in order, then the deployment layers', () => {
    expect(layersFor(answers({ transports: ['http', 'stdio'] }))).toEqual(['base', 'http', 'stdio', 'deploy', 'deploy-http']);
  });

  it('adds db-postgres after the transports and before the deployment layers for postgres', () => {
    expect(layersFor(answers({ transports: ['stdio', 'http', 'sse'], db: 'postgres' }))).toEqual([
      'base',
      'stdio',
      'http',
      'sse',
      'db-postgres',
      'deploy',
      'deploy-http',
    ]);
  });

  it('adds no database layer for none, and no HTTP deployment files without http', () => {
    expect(layersFor(answers())).toEqual(['base', 'stdio', 'deploy']);
  });
});

describe('outputPathFor', () => {
  it.each([
    ['_gitignore', '.gitignore', false],
    ['_github/workflows/ci.yml', '.github/workflows/ci.yml', false],
    ['_github/workflows/release.yml.hbs', '.github/workflows/release.yml', true],
    ['src/a.ts.hbs', 'src/a.ts', true],
    ['src/a.ts', 'src/a.ts', false],
    ['notes.hbs.hbs', 'notes.hbs', true],
    ['package.json.hbs', 'package.json', true],
    ['.hidden', '.hidden', false],
    ['src/my_file.ts', 'src/my_file.ts', false],
    ['readme.hbs.md', 'readme.hbs.md', false],
  ] as const)('%s → %s (render: %s)', (template, target, render) => {
    expect(outputPathFor(template)).toEqual({ target, render });
  });

  it.each([
    ['__fixtures__/input.json', '__fixtures__/input.json'],
    ['test/__snapshots__/tools.test.ts.snap', 'test/__snapshots__/tools.test.ts.snap'],
    ['src/_shared.ts', 'src/_shared.ts'],
    ['_github_extra/x.yml', '_github_extra/x.yml'],
    ['_gitignore.bak', '_gitignore.bak'],
    ['constructor', 'constructor'],
    ['_dockerignore', '.dockerignore'],
    ['fixtures/_gitignore', 'fixtures/.gitignore'],
  ] as const)('renames only the listed segments: %s → %s', (template, target) => {
    expect(outputPathFor(template).target).toBe(target);
  });

  it('lists exactly the stored dotfile names, each renamed to its dotted name', () => {
    expect([...RENAMED_TEMPLATE_SEGMENTS]).toEqual([
      ['_gitignore', '.gitignore'],
      ['_dockerignore', '.dockerignore'],
      ['_github', '.github'],
    ]);
  });

  it('uses POSIX separators for Windows-style template paths', () => {
    expect(outputPathFor('_github\\workflows\\ci.yml')).toEqual({ target: '.github/workflows/ci.yml', render: false });
  });
});

describe('compareStrings', () => {
  it('orders by code unit, independent of locale', () => {
    expect(['b', 'a', 'B', '_a', '.a', 'A', 'a/b', 'a.b'].sort(compareStrings)).toEqual(['.a', 'A', 'B', '_a', 'a', 'a.b', 'a/b', 'b']);
  });

  it('returns 0 for equal strings', () => {
    expect(compareStrings('x', 'x')).toBe(0);
  });
});

describe('planOverlays', () => {
  it('maps every file of every layer, later layers replacing earlier ones at the same path', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'base/_gitignore': 'x',
      'base/shared.txt': 'base',
      'base/src/a.ts.hbs': 'a',
      'base/.hidden': 'h',
      'stdio/shared.txt': 'stdio',
      'stdio/src/a.ts': 'override with a plain file',
    });
    const plan = await planOverlays(root, ['base', 'stdio']);
    expect(plan.layers).toEqual(['base', 'stdio']);
    expect(plan.files.map((file) => [file.target, file.layer, file.render])).toEqual([
      ['.gitignore', 'base', false],
      ['.hidden', 'base', false],
      ['shared.txt', 'stdio', false],
      ['src/a.ts', 'stdio', false],
    ]);
    const shared = plan.files.find((file) => file.target === 'shared.txt');
    expect(shared?.source).toBe(`${root}/stdio/shared.txt`);
  });

  it('collects package.json fragments from every layer in order instead of overriding', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'base/package.json.hbs': '{}',
      'stdio/package.json': '{}',
      'http/package.json.hbs': '{}',
      'base/sub/package.json': '{}',
    });
    const plan = await planOverlays(root, ['base', 'stdio', 'http']);
    expect(plan.packageFragments.map((fragment) => [fragment.layer, fragment.render])).toEqual([
      ['base', true],
      ['stdio', false],
      ['http', true],
    ]);
    expect(plan.files.map((file) => file.target)).toEqual(['sub/package.json']);
  });

  it('rejects a missing layer, naming it', async () => {
    const root = await tempDir();
    await writeTree(root, { 'base/a.txt': 'a' });
    await expect(planOverlays(root, ['base', 'carrier-pigeon'])).rejects.toThrow(/missing template layer .*carrier-pigeon/);
  });

  it('ignores empty folders', async () => {
    const root = await tempDir();
    await writeTree(root, { 'base/a.txt': 'a' });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${root}/base/empty/deeper`, { recursive: true });
    const plan = await planOverlays(root, ['base']);
    expect(plan.files.map((file) => file.target)).toEqual(['a.txt']);
  });
});

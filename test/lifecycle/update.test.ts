import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { update } from '../../src/commands/update.js';
import type { Output } from '../../src/context.js';
import { commitOnNewBranch } from '../../src/lifecycle/git.js';
import { LOCK_FILE, withRepoLock } from '../../src/lifecycle/repo-lock.js';
import { MANIFEST_FILE, parseManifest, serializeManifest } from '../../src/render/manifest.js';
import { renderRepo } from '../../src/steps/render.js';
import { generatorPackage } from '../../src/version.js';
import { snapshotTree, useTempDirs, writeTree } from '../helpers/fs.js';
import { installedPackage } from '../helpers/package.js';

const tempDir = useTempDirs('update-');

async function freshRepo({ git }: { git: boolean }): Promise<string> {
  const root = path.join(await tempDir(), 'repo');
  await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
  if (git) await commitAll(root);
  return root;
}

async function commitAll(root: string): Promise<void> {
  await execa('git', ['init', '-q'], { cwd: root });
  await execa('git', ['add', '-A'], { cwd: root });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init'], { cwd: root });
}

const OLDER = '0.0.1';
/** Files create-mcp-prod OLDER did not write (with their templates), so updating to the running version adds them. */
const ADDED = { 'src/notes/store.ts': 'base/src/notes', 'src/server-info.ts': 'base/src/server-info.ts' };

/**
 * A repo as create-mcp-prod OLDER left it, plus the user's `files`, committed; OLDER's package is
 * passed with --from-package.
 */
async function olderRepo(files: Record<string, string> = {}): Promise<{ root: string; fromPackage: string }> {
  const fromPackage = path.join(await tempDir(), 'older');
  await installedPackage(fromPackage, OLDER, Object.values(ADDED));
  const root = path.join(await tempDir(), 'repo');
  await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
  const manifest = parseManifest(await readFile(path.join(root, MANIFEST_FILE), 'utf8'));
  for (const file of Object.keys(ADDED)) {
    await rm(path.join(root, file));
    delete manifest.files[file];
  }
  await writeFile(path.join(root, MANIFEST_FILE), serializeManifest({ ...manifest, version: OLDER }));
  await rm(path.join(root, 'src/notes'), { recursive: true });
  await writeTree(root, files);
  await commitAll(root);
  return { root, fromPackage };
}

const git = async (root: string, ...args: string[]) => (await execa('git', args, { cwd: root })).stdout;

const lines: string[] = [];
const out: Output = { info: (line) => lines.push(line), warn: (line) => lines.push(line) };
const run = (root: string, argv: string[]) => update(parseCliArgs(['update', ...argv]), root, out);

describe('update: usage errors change nothing (exit 64)', () => {
  it.each([
    ['outside a git repository', { git: false }, ['--yes'], /needs a git repository/],
    ['with a dirty work tree', { git: true, dirty: true }, ['--yes'], /needs a clean git work tree .*src\/lib\/lock\.ts/],
    ['without --yes and without a terminal', { git: true }, [], /pass --yes/],
  ] as const)('%s', async (_case, setup, argv, message) => {
    const root = await freshRepo(setup);
    if ('dirty' in setup) await appendFile(path.join(root, 'src/lib/lock.ts'), '// wip\n');
    const before = await snapshotTree(root);
    await expect(run(root, [...argv])).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(message) });
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('at the running version with nothing changed: nothing to change, exit 0', async () => {
    const root = await freshRepo({ git: true });
    lines.length = 0;
    expect(await run(root, ['--dry-run'])).toBe(0);
    expect(lines.join('\n')).toMatch(/: nothing to change$/);
  });
});

describe('update: what it cannot write is refused while planning (exit 64), before anything is written', () => {
  it('a user’s file where the new version needs a folder, and a user’s folder where it writes a file', async () => {
    const { root, fromPackage } = await olderRepo({ 'src/notes': 'my notes\n', 'src/server-info.ts/mine.md': 'mine\n' });
    const before = await snapshotTree(root);
    for (const argv of [['--dry-run'], ['--yes']]) {
      const error = await run(root, [...argv, '--from-package', fromPackage]).catch((caught: unknown) => caught);
      expect(error, argv.join(' ')).toMatchObject({
        exitCode: 64,
        message: expect.stringMatching(/src\/notes\/store\.ts \(src\/notes is a file here, not a folder\); src\/server-info\.ts \(a folder here, not a file\)/),
      });
      expect((error as Error).message).not.toContain('\n');
      expect(await snapshotTree(root)).toEqual(before);
    }
  });

  it('with --commit, an update branch that already exists', async () => {
    const { root, fromPackage } = await olderRepo();
    const branch = `create-mcp-prod/update-${generatorPackage().version}`;
    await git(root, 'branch', branch);
    const before = await snapshotTree(root);
    await expect(run(root, ['--yes', '--commit', '--from-package', fromPackage])).rejects.toMatchObject({
      exitCode: 64,
      message: `branch ${branch} already exists: delete or rename it, or run update without --commit`,
    });
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('the same repo without the clashes updates: the new files are added', async () => {
    const { root, fromPackage } = await olderRepo();
    expect(await run(root, ['--yes', '--from-package', fromPackage])).toBe(0);
    expect(await readFile(path.join(root, 'src/notes/store.ts'), 'utf8')).not.toBe('');
    expect(parseManifest(await readFile(path.join(root, MANIFEST_FILE), 'utf8')).version).toBe(generatorPackage().version);
  });
});

describe('update --commit', () => {
  it('on an up-to-date repo: exit 0, nothing committed, no branch made', async () => {
    const root = await freshRepo({ git: true });
    const before = { head: await git(root, 'rev-parse', 'HEAD'), branches: await git(root, 'branch', '--list') };
    lines.length = 0;
    expect(await run(root, ['--yes', '--commit'])).toBe(0);
    expect(lines.join('\n')).toContain('Nothing to commit');
    expect({ head: await git(root, 'rev-parse', 'HEAD'), branches: await git(root, 'branch', '--list') }).toEqual(before);
    expect(await git(root, 'status', '--porcelain')).toBe('');
  });

  it('commitOnNewBranch reports git’s reason when git gives it on stdout', async () => {
    const root = await freshRepo({ git: true });
    await expect(commitOnNewBranch(root, 'empty', 'nothing')).rejects.toThrow(/^git commit failed: On branch empty; nothing to commit/);
  });
});

describe('update and the repo lock', () => {
  it('refuses at once while another command changes the repo (exit 75), and writes nothing', async () => {
    const { root, fromPackage } = await olderRepo();
    await withRepoLock(root, async () => {
      const before = await snapshotTree(root);
      await expect(run(root, ['--yes', '--from-package', fromPackage])).rejects.toMatchObject({ exitCode: 75, message: expect.stringMatching(/^another create-mcp-prod command is changing this repo/) });
      expect(await snapshotTree(root)).toEqual(before);
    });
  });

  it('--dry-run writes nothing, so it runs beside another command', async () => {
    const { root, fromPackage } = await olderRepo();
    lines.length = 0;
    await withRepoLock(root, async () => {
      expect(await run(root, ['--dry-run', '--from-package', fromPackage])).toBe(0);
    });
    expect(lines.join('\n')).toMatch(/add +src\/notes\/store\.ts/);
  });

  it('in a repo whose .gitignore predates the lock: the tree counts as clean, and the lock is neither committed nor left behind', async () => {
    const { root, fromPackage } = await olderRepo();
    const gitignore = await readFile(path.join(root, '.gitignore'), 'utf8');
    expect(gitignore).toContain(LOCK_FILE);
    await writeFile(path.join(root, '.gitignore'), gitignore.split('\n').filter((line) => !line.includes(LOCK_FILE)).join('\n'));
    await git(root, 'commit', '-qam', 'an older .gitignore');

    expect(await run(root, ['--yes', '--commit', '--from-package', fromPackage])).toBe(0);
    expect(await git(root, 'show', '--name-only', '--format=', 'HEAD')).toContain('src/notes/store.ts');
    expect(await git(root, 'show', '--name-only', '--format=', 'HEAD')).not.toContain(LOCK_FILE);
    expect(await git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });
});

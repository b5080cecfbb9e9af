import { appendFile, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, vi } from 'vitest';
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

/**
 * Set by a test: `fails` makes writing .mcp-prod.json fail, as it does when the file is read-only
 * for a user who is not root; `signal` is delivered to the process as the first repo file is written.
 */
const manifestWrite = vi.hoisted(() => ({ fails: false }));
const signalOnWrite = vi.hoisted(() => ({ signal: undefined as NodeJS.Signals | undefined }));
vi.mock('../../src/lifecycle/repo.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/lifecycle/repo.js')>();
  return {
    ...actual,
    writeManifest: async (root: string, manifest: Parameters<typeof actual.writeManifest>[1]) => {
      if (!manifestWrite.fails) return actual.writeManifest(root, manifest);
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: path.join(root, MANIFEST_FILE) });
    },
    writeRepoFile: async (...args: Parameters<typeof actual.writeRepoFile>) => {
      const { signal } = signalOnWrite;
      signalOnWrite.signal = undefined;
      if (signal !== undefined) process.emit(signal, signal);
      return actual.writeRepoFile(...args);
    },
  };
});

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

  it('a repo git refuses to read: git’s reason, not "run git init" (exit 64)', async () => {
    const root = await freshRepo({ git: true });
    // As "dubious ownership" (a repo owned by another user) does; a broken config is the portable way to get a refusal.
    await appendFile(path.join(root, '.git', 'config'), '[broken\n');
    await expect(run(root, ['--yes'])).rejects.toMatchObject({
      exitCode: 64,
      message: expect.stringMatching(/^update cannot read the repo's git status: fatal: bad config line \d+ in file \.git\/config$/),
    });
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

  it('a symbolic link that leads out of the repo, where it writes: never written through', async () => {
    const { root, fromPackage } = await olderRepo();
    const outside = await tempDir();
    await writeTree(outside, { 'server-info.ts': 'outside\n', 'notes/keep.md': 'outside\n' });
    // Committed links, so the tree is clean: a managed file the new version merges, a folder it adds a file to.
    await symlink(path.join(outside, 'server-info.ts'), path.join(root, 'src/server-info.ts'));
    await symlink(path.join(outside, 'notes'), path.join(root, 'src/notes'));
    await git(root, 'add', '-A');
    await git(root, 'commit', '-qm', 'links');
    const before = { repo: await snapshotTree(root), outside: await snapshotTree(outside) };
    for (const argv of [['--dry-run'], ['--yes']]) {
      const error = await run(root, [...argv, '--from-package', fromPackage]).catch((caught: unknown) => caught);
      expect(error, argv.join(' ')).toMatchObject({
        exitCode: 64,
        message: expect.stringMatching(/src\/notes\/store\.ts \(src\/notes is a symbolic link out of the repo\); src\/server-info\.ts \(src\/server-info\.ts is a symbolic link out of the repo\)/),
      });
      expect({ repo: await snapshotTree(root), outside: await snapshotTree(outside) }).toEqual(before);
    }
  });

  it('a symbolic link that stays inside the repo is written through, as any folder', async () => {
    const { root, fromPackage } = await olderRepo({ 'lib/notes/mine.md': 'mine\n' });
    await symlink('../lib/notes', path.join(root, 'src/notes'));
    await git(root, 'add', '-A');
    await git(root, 'commit', '-qm', 'link');
    expect(await run(root, ['--yes', '--from-package', fromPackage])).toBe(0);
    expect(await readFile(path.join(root, 'lib/notes/store.ts'), 'utf8')).not.toBe('');
  });

  it('keeps the keys of .mcp-prod.json it does not know', async () => {
    const { root, fromPackage } = await olderRepo();
    const manifestFile = path.join(root, MANIFEST_FILE);
    await writeFile(manifestFile, JSON.stringify({ ...JSON.parse(await readFile(manifestFile, 'utf8')), team: 'payments' }));
    await git(root, 'commit', '-qam', 'team');
    expect(await run(root, ['--yes', '--from-package', fromPackage])).toBe(0);
    expect(JSON.parse(await readFile(manifestFile, 'utf8'))).toMatchObject({ version: generatorPackage().version, team: 'payments' });
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

describe('update when a write fails while applying the plan', () => {
  it('puts back every file it changed and fails with one line: the repo is as it was, not half updated', async () => {
    const { root, fromPackage } = await olderRepo();
    const before = await snapshotTree(root);
    manifestWrite.fails = true;
    try {
      await expect(run(root, ['--yes', '--from-package', fromPackage])).rejects.toMatchObject({
        exitCode: 1,
        message: `update failed writing ${MANIFEST_FILE}, nothing changed: permission denied (${path.join(root, MANIFEST_FILE)})`,
      });
    } finally {
      manifestWrite.fails = false;
    }
    expect(await snapshotTree(root)).toEqual(before);
    expect(await git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });
});

describe('update stopped by a signal while applying the plan', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: finishes the file under way, puts back every change, and exits %i', async (signal, exitCode) => {
    const { root, fromPackage } = await olderRepo();
    const before = await snapshotTree(root);
    const listeners = process.listenerCount(signal);
    signalOnWrite.signal = signal;
    await expect(run(root, ['--yes', '--from-package', fromPackage])).rejects.toMatchObject({ exitCode, message: 'update cancelled; nothing changed' });
    expect(signalOnWrite.signal).toBeUndefined();
    expect(await snapshotTree(root)).toEqual(before);
    expect(await git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    // The signal acts as usual again afterwards.
    expect(process.listenerCount(signal)).toBe(listeners);
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

  it('where git has no identity (a CI runner): commits as create-mcp-prod, as create does', async () => {
    const { root, fromPackage } = await olderRepo();
    const saved = { ...process.env };
    // No global or system git config, so no user.name/user.email: git cannot make one up either.
    Object.assign(process.env, { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', EMAIL: '' });
    try {
      expect(await run(root, ['--yes', '--commit', '--from-package', fromPackage])).toBe(0);
    } finally {
      process.env = saved;
    }
    expect(await git(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`create-mcp-prod/update-${generatorPackage().version}`);
    expect(await git(root, 'log', '-1', '--format=%an <%ae>|%s')).toMatch(/^create-mcp-prod <create-mcp-prod@users\.noreply\.local>\|Update to /);
    expect(await git(root, 'status', '--porcelain')).toBe('');
  });

  it('commits a repo whose .gitignore ignores the lock (every repo this version makes), as the identity git has', async () => {
    const { root, fromPackage } = await olderRepo();
    await git(root, 'config', 'user.name', 'Fleet Bot');
    await git(root, 'config', 'user.email', 'fleet@example.com');
    expect(await run(root, ['--yes', '--commit', '--from-package', fromPackage])).toBe(0);
    expect(await git(root, 'log', '-1', '--format=%an <%ae>')).toBe('Fleet Bot <fleet@example.com>');
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

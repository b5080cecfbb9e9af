import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { renderRepo } from '../../src/steps/render.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { BACKUP_DIR, writeAtomically } from '../../src/steps/write.js';
import { exists, snapshotTree, useTempDirs, writeTree } from '../helpers/fs.js';

const tempDir = useTempDirs();

/** Names in the parent that look like a staging folder for `target`. */
async function stagingLeftovers(parent: string): Promise<string[]> {
  return (await readdir(parent)).filter((name) => name.includes('.create-mcp-prod-'));
}

async function fillWith(files: Record<string, string>): Promise<(stagingDir: string) => Promise<string>> {
  return async (stagingDir) => {
    await writeTree(stagingDir, files);
    return 'filled';
  };
}

describe('writeAtomically: success', () => {
  it('creates a target that does not exist, returning what fill returned', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'new-server');
    const result = await writeAtomically(target, await fillWith({ 'package.json': '{}\n', 'src/index.ts': 'x', '.gitignore': 'dist/\n' }));
    expect(result).toBe('filled');
    expect(await snapshotTree(target)).toEqual([
      ['.gitignore', 'dist/\n'],
      ['package.json', '{}\n'],
      ['src/index.ts', 'x'],
    ]);
    expect(await stagingLeftovers(parent)).toEqual([]);
  });

  it('creates missing parent folders of the target', async () => {
    const root = await tempDir();
    const target = path.join(root, 'a', 'b', 'server');
    await writeAtomically(target, await fillWith({ 'x.txt': 'x' }));
    expect(await readFile(path.join(target, 'x.txt'), 'utf8')).toBe('x');
  });

  it('stages beside the target in a hidden .<name>.create-mcp-prod-* folder', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'srv');
    let staging = '';
    await writeAtomically(target, async (stagingDir) => {
      staging = stagingDir;
      expect(await exists(target)).toBe(false);
      await writeTree(stagingDir, { 'a.txt': 'a' });
    });
    expect(path.dirname(path.dirname(staging))).toBe(parent);
    expect(path.basename(path.dirname(staging))).toMatch(/^\.srv\.create-mcp-prod-.+/);
    expect(await exists(path.dirname(staging))).toBe(false);
  });

  it('creates a target whose name is near the file system limit: the staging folder takes only the start of it', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'é'.repeat(120));
    await writeAtomically(target, await fillWith({ 'a.txt': 'a' }));
    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('a');
    expect(await stagingLeftovers(parent)).toEqual([]);
  });

  it('writes into an existing empty directory without replacing it (so `create .` keeps the shell’s cwd)', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'here');
    await mkdir(target);
    const inode = (await stat(target)).ino;
    await writeAtomically(target, await fillWith({ 'a.txt': 'a' }));
    expect((await stat(target)).ino).toBe(inode);
    expect(await snapshotTree(target)).toEqual([['a.txt', 'a']]);
  });

  it('fills an empty target directory', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'empty');
    await mkdir(target);
    await writeAtomically(target, await fillWith({ 'a.txt': 'a', 'sub/b.txt': 'b' }));
    expect(await snapshotTree(target)).toEqual([
      ['a.txt', 'a'],
      ['sub/b.txt', 'b'],
    ]);
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await stagingLeftovers(parent)).toEqual([]);
  });

  it('merges into a non-empty target: unrelated files kept, nested folders merged, generated files replaced', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'existing');
    await writeTree(target, {
      'notes.txt': 'mine',
      'src/keep.ts': 'keep me',
      'package.json': 'old',
    });
    await writeAtomically(target, await fillWith({ 'package.json': 'new', 'src/index.ts': 'index', '.gitignore': 'dist/' }));
    const backups = await readdir(path.join(target, BACKUP_DIR));
    expect(backups).toHaveLength(1);
    expect(await snapshotTree(target)).toEqual([
      ['.gitignore', 'dist/'],
      [`${BACKUP_DIR}/${backups[0]}/package.json`, 'old'],
      ['notes.txt', 'mine'],
      ['package.json', 'new'],
      ['src/index.ts', 'index'],
      ['src/keep.ts', 'keep me'],
    ]);
    expect(await stagingLeftovers(parent)).toEqual([]);
  });

  it('removes its SIGINT handler when done', async () => {
    const parent = await tempDir();
    const before = process.listenerCount('SIGINT');
    await writeAtomically(path.join(parent, 't'), async (stagingDir) => {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      await writeTree(stagingDir, { 'a.txt': 'a' });
    });
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('writeAtomically: a failing fill leaves the target untouched', () => {
  const boom = new Error('boom');
  const failingFill = async (stagingDir: string): Promise<never> => {
    await writeTree(stagingDir, { 'package.json': 'half', 'src/index.ts': 'half' });
    throw boom;
  };

  it('a non-existent target stays non-existent, the error is passed on, no staging folder remains', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'never');
    await expect(writeAtomically(target, failingFill)).rejects.toBe(boom);
    expect(await exists(target)).toBe(false);
    expect(await readdir(parent)).toEqual([]);
  });

  it('an empty target stays an empty directory', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'empty');
    await mkdir(target);
    await expect(writeAtomically(target, failingFill)).rejects.toBe(boom);
    expect(await readdir(target)).toEqual([]);
    expect(await readdir(parent)).toEqual(['empty']);
  });

  it('a non-empty target keeps exactly its content', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'existing');
    await writeTree(target, { 'package.json': 'mine', 'src/index.ts': 'mine too', 'notes.txt': 'n' });
    const before = await snapshotTree(target);
    await expect(writeAtomically(target, failingFill)).rejects.toBe(boom);
    expect(await snapshotTree(target)).toEqual(before);
    expect(await stagingLeftovers(parent)).toEqual([]);
  });

  it('removes its SIGINT handler after a failure too', async () => {
    const parent = await tempDir();
    const before = process.listenerCount('SIGINT');
    await expect(writeAtomically(path.join(parent, 't'), failingFill)).rejects.toBe(boom);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('trap: strict — a template with a missing variable, rendered through renderRepo, leaves nothing behind', async () => {
    const templates = await tempDir();
    // `a.txt` renders fine and is written to staging first; `z.ts.hbs` then fails.
    await writeTree(templates, {
      'base/a.txt': 'fine',
      'base/package.json': '{"name":"x"}',
      'base/z.ts.hbs': 'export const x = "{{missingVariable}}";\n',
      'stdio/b.txt': 'fine',
      'deploy/c.txt': 'fine',
    });
    const parent = await tempDir();
    const target = path.join(parent, 'server');
    const answers = { name: 'demo', description: 'd', transports: ['stdio' as const], db: 'none' as const };
    await expect(writeAtomically(target, (stagingDir) => renderRepo({ answers, destDir: stagingDir, templatesRoot: templates }))).rejects.toThrow(
      /base\/z\.ts\.hbs/,
    );
    expect(await readdir(parent)).toEqual([]);
  });

  it('trap: strict — same failure into an existing directory with --force leaves its files exactly as before', async () => {
    const templates = await tempDir();
    await writeTree(templates, {
      'base/a.txt': 'generated',
      'base/z.ts.hbs': '{{missingVariable}}',
      'stdio/b.txt': 'generated',
      'deploy/c.txt': 'generated',
    });
    const parent = await tempDir();
    const target = path.join(parent, 'server');
    await writeTree(target, { 'a.txt': 'user file', 'keep.md': 'keep' });
    const before = await snapshotTree(target);
    const answers = { name: 'demo', description: 'd', transports: ['stdio' as const], db: 'none' as const };
    await expect(writeAtomically(target, (stagingDir) => renderRepo({ answers, destDir: stagingDir, templatesRoot: templates }))).rejects.toThrow(
      /missingVariable/,
    );
    expect(await snapshotTree(target)).toEqual(before);
    expect(await stagingLeftovers(parent)).toEqual([]);
  });
});

describe('writeAtomically: --force into a directory where a staged path collides', () => {
  it('refuses before moving anything when a file stands where a folder goes', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    await writeTree(target, { src: 'a file named src' });
    const error = await writeAtomically(target, await fillWith({ 'a.txt': 'a', 'src/index.ts': 'x' })).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('cannot write src/: a file with that name is in the way');
    expect(await snapshotTree(target)).toEqual([['src', 'a file named src']]);
    expect(await stagingLeftovers(parent)).toEqual([]);
  });

  it('refuses when a folder stands where a file goes', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    await writeTree(target, { 'package.json/keep.txt': 'k' });
    const error = await writeAtomically(target, await fillWith({ 'package.json': '{}' })).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe('cannot write package.json: a directory with that name is in the way');
    expect(await snapshotTree(target)).toEqual([['package.json/keep.txt', 'k']]);
  });
});

describe('writeAtomically: parents', () => {
  it('removes the parent folders it created when the write fails', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'a', 'b', 'c');
    await expect(writeAtomically(target, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('writeAtomically: content', () => {
  it('moves binary files byte for byte', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'bin');
    const bytes = Buffer.from([0, 255, 254, 10, 13, 0x80, 0xc3]);
    await writeAtomically(target, async (stagingDir) => writeFile(path.join(stagingDir, 'logo.bin'), bytes));
    expect(Buffer.compare(await readFile(path.join(target, 'logo.bin')), bytes)).toBe(0);
  });
});

describe('writeAtomically: folder mode', () => {
  it('a new target gets the mode a plain mkdir gives (umask), not the staging folder\'s 0700', async () => {
    const parent = await tempDir();
    await mkdir(path.join(parent, 'plain'));
    const plainMode = (await stat(path.join(parent, 'plain'))).mode & 0o777;
    await writeAtomically(path.join(parent, 'made'), await fillWith({ 'a.txt': 'a' }));
    expect((await stat(path.join(parent, 'made'))).mode & 0o777).toBe(plainMode);
  });
});

describe('writeAtomically: into an existing folder', () => {
  it('stages inside the target, so a parent that is not writable does not matter', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'here');
    await mkdir(target);
    let staging = '';
    await writeAtomically(target, async (stagingDir) => {
      staging = stagingDir;
      await writeTree(stagingDir, { 'a.txt': 'a' });
    });
    expect(path.dirname(path.dirname(staging))).toBe(target);
    expect(await readdir(target)).toEqual(['a.txt']);
  });

  it.skipIf(process.getuid?.() === 0)('works when the parent is read-only (not as root: root writes anyway)', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'here');
    await mkdir(target);
    await chmod(parent, 0o555);
    try {
      await writeAtomically(target, await fillWith({ 'a.txt': 'a' }));
    } finally {
      await chmod(parent, 0o755);
    }
    expect(await readdir(target)).toEqual(['a.txt']);
  });

  it('--force: names every file it replaces before moving, keeps each old version, skips identical ones', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    await writeTree(target, { 'README.md': 'my readme', 'package.json': '{"same":1}', 'src/tools/mine.ts': 'edited' });
    const told: { files: readonly string[]; backupDir: string }[] = [];
    await writeAtomically(target, await fillWith({ 'README.md': 'generated', 'package.json': '{"same":1}', 'src/tools/mine.ts': 'template', 'new.txt': 'n' }), {
      onReplace: (files, backupDir) => {
        told.push({ files, backupDir });
      },
    });
    expect(told).toHaveLength(1);
    expect(told[0]?.files).toEqual(['README.md', path.join('src', 'tools', 'mine.ts')]);
    const backupDir = told[0]?.backupDir ?? '';
    expect(path.dirname(backupDir)).toBe(path.join(target, BACKUP_DIR));
    expect(await snapshotTree(backupDir)).toEqual([
      ['README.md', 'my readme'],
      ['src/tools/mine.ts', 'edited'],
    ]);
    expect(await readFile(path.join(target, 'README.md'), 'utf8')).toBe('generated');
  });

  it('Ctrl-C in the middle of the move undoes it: the target is exactly as before, exit 130', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    await writeTree(target, { 'README.md': 'mine', 'keep.txt': 'k' });
    const before = await snapshotTree(target);
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/f${String(i).padStart(2, '0')}.ts`, `${i}`]));
    let moved = 0;
    const error = await writeAtomically(target, await fillWith({ ...files, 'README.md': 'generated' }), {
      onFileMoved: () => {
        // The real signal, handled by writeAtomically's own SIGINT listener, mid-move.
        if (++moved === 3) process.emit('SIGINT', 'SIGINT');
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.interrupted);
    expect((error as CliError).message).toBe(`cancelled; nothing was written to ${target}`);
    expect(await snapshotTree(target)).toEqual(before);
    expect(await readdir(target)).toEqual(['README.md', 'keep.txt']);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s (a CI timeout, a closed terminal) in the middle of the move undoes it as Ctrl-C does, exit %i', async (signal, exitCode) => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    await writeTree(target, { 'README.md': 'mine', 'keep.txt': 'k' });
    const before = await snapshotTree(target);
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/f${String(i).padStart(2, '0')}.ts`, `${i}`]));
    let moved = 0;
    const error = await writeAtomically(target, await fillWith({ ...files, 'README.md': 'generated' }), {
      onFileMoved: () => {
        if (++moved === 3) process.emit(signal, signal);
      },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ exitCode, message: `cancelled; nothing was written to ${target}` });
    expect(await snapshotTree(target)).toEqual(before);
    expect(await readdir(target)).toEqual(['README.md', 'keep.txt']);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s while rendering removes the staging folder and exits %i', async (signal, exitCode) => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw Object.assign(new Error('exit'), { exited: code });
    });
    try {
      const error = await writeAtomically(target, async (stagingDir) => {
        await writeTree(stagingDir, { 'a.txt': 'a' });
        process.emit(signal, signal);
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ message: 'exit', exited: exitCode });
    } finally {
      exit.mockRestore();
    }
    expect(await readdir(parent)).toEqual([]);
  });

  it('a failure in the middle of the move undoes it too, backups restored', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 't');
    await writeTree(target, { 'a.txt': 'mine', 'z/keep.txt': 'k' });
    const before = await snapshotTree(target);
    let moved = 0;
    const failure = new Error('disk went away');
    const error = await writeAtomically(target, await fillWith({ 'a.txt': 'generated', 'b/c.txt': 'c', 'd.txt': 'd' }), {
      onFileMoved: () => {
        if (++moved === 2) throw failure;
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBe(failure);
    expect(await snapshotTree(target)).toEqual(before);
    expect((await readdir(target)).sort()).toEqual(['a.txt', 'z']);
  });
});

describe('writeAtomically: file-system failures are one plain line', () => {
  it('a target under a file: ENOTDIR named in words', async () => {
    const parent = await tempDir();
    await writeFile(path.join(parent, 'file'), 'x');
    const target = path.join(parent, 'file', 'server');
    const error = await writeAtomically(target, await fillWith({ 'a.txt': 'a' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toMatch(/^cannot write .*server: a part of the path is a file, not a folder/);
    expect((error as CliError).message).not.toContain('\n');
  });
});

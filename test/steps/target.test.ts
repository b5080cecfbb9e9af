import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src/errors.js';
import { assertTargetUsable, displayPath } from '../../src/steps/target.js';
import { useTempDirs, writeTree } from '../helpers/fs.js';

const tempDir = useTempDirs();

async function targetError(target: string, force: boolean, shownAs: string): Promise<CliError> {
  try {
    await assertTargetUsable(target, force, shownAs);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected assertTargetUsable to reject');
}

describe('assertTargetUsable', () => {
  it('accepts a target that does not exist', async () => {
    const parent = await tempDir();
    await expect(assertTargetUsable(path.join(parent, 'nope'), false, 'nope')).resolves.toBeUndefined();
  });

  it('accepts a target whose parent does not exist either', async () => {
    const parent = await tempDir();
    await expect(assertTargetUsable(path.join(parent, 'a', 'b'), false, 'a/b')).resolves.toBeUndefined();
  });

  it('accepts an empty directory', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'empty');
    await mkdir(target);
    await expect(assertTargetUsable(target, false, 'empty')).resolves.toBeUndefined();
  });

  it('rejects a non-empty directory with exit code 1, listing what is there and how to proceed', async () => {
    const target = await tempDir();
    await writeTree(target, { 'notes.txt': 'n', 'src/a.ts': 'a' });
    const error = await targetError(target, false, 'my-dir');
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(error.message).toBe('target directory my-dir is not empty (contains notes.txt, src); choose another directory or pass --force');
  });

  it('counts a lone dotfile as content', async () => {
    const target = await tempDir();
    await writeTree(target, { '.git/HEAD': 'ref' });
    expect((await targetError(target, false, 't')).message).toContain('(contains .git)');
  });

  it('lists the first 5 entries in sorted order and "and N more"', async () => {
    const target = await tempDir();
    await writeTree(target, Object.fromEntries(['g', 'c', 'a', 'f', 'b', 'e', 'd'].map((name) => [name, name])));
    const error = await targetError(target, false, 't');
    expect(error.message).toContain('(contains a, b, c, d, e and 2 more)');
  });

  it('with 6 entries, shows 5 and "and 1 more"', async () => {
    const target = await tempDir();
    await writeTree(target, Object.fromEntries(['f', 'e', 'd', 'c', 'b', 'a'].map((name) => [name, name])));
    const error = await targetError(target, false, 't');
    expect(error.message).toContain('(contains a, b, c, d, e and 1 more)');
    expect(error.message).not.toContain(', f');
  });

  it('lists exactly 5 entries without "more"', async () => {
    const target = await tempDir();
    await writeTree(target, Object.fromEntries(['e', 'd', 'c', 'b', 'a'].map((name) => [name, name])));
    const error = await targetError(target, false, 't');
    expect(error.message).toContain('(contains a, b, c, d, e)');
    expect(error.message).not.toContain('more');
  });

  it('allows a non-empty directory with --force', async () => {
    const target = await tempDir();
    await writeTree(target, { 'notes.txt': 'n' });
    await expect(assertTargetUsable(target, true, 't')).resolves.toBeUndefined();
  });

  it.each([false, true])('rejects a file that is not a directory (force: %s)', async (force) => {
    const parent = await tempDir();
    const target = path.join(parent, 'file');
    await writeFile(target, 'x');
    const error = await targetError(target, force, 'file');
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(error.message).toBe('target file exists and is not a directory');
  });

  it('rejects a dangling symlink instead of writing through it', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'link');
    await symlink(path.join(parent, 'missing'), target);
    expect((await targetError(target, true, 'link')).message).toBe('target link is a broken symbolic link');
  });

  it('shows the target as given, not its absolute path', async () => {
    const target = await tempDir();
    await writeTree(target, { x: 'x' });
    const error = await targetError(target, false, 'shown-name');
    expect(error.message).toContain('shown-name');
    expect(error.message).not.toContain(target);
  });
});

describe('displayPath', () => {
  it('is "." for the cwd itself', () => {
    expect(displayPath('/home/u/work', '/home/u/work')).toBe('.');
  });

  it('is relative for a folder below the cwd', () => {
    expect(displayPath('/home/u/work', '/home/u/work/servers/demo')).toBe(path.join('servers', 'demo'));
  });

  it('is absolute for a folder outside the cwd', () => {
    expect(displayPath('/home/u/work', '/tmp/demo')).toBe('/tmp/demo');
    expect(displayPath('/home/u/work', '/home/u/other')).toBe('/home/u/other');
  });
});

import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { LOCK_FILE, withRepoLock } from '../../src/lifecycle/repo-lock.js';
import { useTempDirs } from '../helpers/fs.js';

const tempDir = useTempDirs('repo-lock-');

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start node');
  return child.pid;
}

async function refusal(root: string): Promise<CliError> {
  let ran = false;
  const error = await withRepoLock(root, async () => {
    ran = true;
  }).catch((caught: unknown) => caught);
  expect(ran).toBe(false);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('withRepoLock', () => {
  it('holds a lock file with our pid while the work runs, and removes it after', async () => {
    const root = await tempDir();
    const held = await withRepoLock(root, () => readFile(path.join(root, LOCK_FILE), 'utf8'));
    expect(held).toBe(`${process.pid}\n`);
    expect(await readdir(root)).toEqual([]);
  });

  it('removes the lock when the work fails, and passes the failure on', async () => {
    const root = await tempDir();
    await expect(withRepoLock(root, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a second holder at once with one line, exit 75, and leaves the first one’s lock alone', async () => {
    const root = await tempDir();
    await withRepoLock(root, async () => {
      const error = await refusal(root);
      expect(error.exitCode).toBe(75);
      expect(error.message).toBe(
        `another create-mcp-prod command is changing this repo (pid ${process.pid}); if none is running, delete ${path.join(root, LOCK_FILE)}`,
      );
      expect(await readFile(path.join(root, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    });
    expect(await readdir(root)).toEqual([]);
  });

  it('takes over a lock left by a process that has ended', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, LOCK_FILE), `${deadPid()}\n`);
    expect(await withRepoLock(root, () => readFile(path.join(root, LOCK_FILE), 'utf8'))).toBe(`${process.pid}\n`);
    expect(await readdir(root)).toEqual([]);
  });

  it('does not take over a lock that names no process: it cannot tell whether its holder runs', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, LOCK_FILE), 'not a pid\n');
    const error = await refusal(root);
    expect(error.message).toBe(`another create-mcp-prod command is changing this repo; if none is running, delete ${path.join(root, LOCK_FILE)}`);
    expect(await readFile(path.join(root, LOCK_FILE), 'utf8')).toBe('not a pid\n');
  });
});

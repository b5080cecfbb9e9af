import { readdir } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { LOCK_FILE, withRepoLock } from '../../src/lifecycle/repo-lock.js';
import { useTempDirs } from '../helpers/fs.js';

// A full disk: creating the lock file works (an empty file takes no block), writing our pid into it does not.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    if (!String(args[0]).endsWith(LOCK_FILE)) return handle;
    return Object.assign(Object.create(handle) as typeof handle, {
      writeFile: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      close: () => handle.close(),
    });
  };
  return { ...fs, default: { ...fs, open }, open };
});

const tempDir = useTempDirs('repo-lock-full-');

describe('withRepoLock on a full disk', () => {
  it('fails with one plain line and leaves no empty lock behind, so the next run is not refused', async () => {
    const root = await tempDir();
    let ran = false;
    const error = await withRepoLock(root, async () => {
      ran = true;
    }).catch((caught: unknown) => caught);
    expect(ran).toBe(false);
    expect(error).toMatchObject({ exitCode: 1, message: `could not create ${LOCK_FILE}: no space left on the device` });
    expect(await readdir(root)).toEqual([]);
  });
});

import { chmod, lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writeRepoFile } from '../../src/lifecycle/repo.js';
import { useTempDirs } from '../helpers/fs.js';

const FAILING = 'content that meets a full disk';

// A disk that fills up half-way through one write: half the bytes land, then ENOSPC.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof fs.writeFile = async (file, data, options) => {
    if (typeof data !== 'string' || !data.startsWith(FAILING)) return fs.writeFile(file, data, options);
    await fs.writeFile(file, data.slice(0, data.length / 2), options);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...fs, default: { ...fs, writeFile }, writeFile };
});

const tempDir = useTempDirs('repo-write-');

async function repoWith(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

describe('writeRepoFile', () => {
  it('leaves the old file whole, and nothing beside it, when the disk fills up mid-write', async () => {
    const root = await repoWith({ 'src/index.ts': 'the old content\n' });
    await expect(writeRepoFile(root, 'src/index.ts', `${FAILING}${'x'.repeat(10_000)}`)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(path.join(root, 'src/index.ts'), 'utf8')).toBe('the old content\n');
    expect(await readdir(path.join(root, 'src'))).toEqual(['index.ts']);
  });

  it('replaces the content and keeps the permissions', async () => {
    const root = await repoWith({ 'scripts/run.sh': 'echo old\n' });
    await chmod(path.join(root, 'scripts/run.sh'), 0o750);
    await writeRepoFile(root, 'scripts/run.sh', 'echo new\n');
    expect(await readFile(path.join(root, 'scripts/run.sh'), 'utf8')).toBe('echo new\n');
    expect((await stat(path.join(root, 'scripts/run.sh'))).mode & 0o777).toBe(0o750);
    expect(await readdir(path.join(root, 'scripts'))).toEqual(['run.sh']);
  });

  it('writes through a link inside the repo to the file it leads to, and keeps the link', async () => {
    const root = await repoWith({ 'src/real.ts': 'old\n' });
    await symlink('real.ts', path.join(root, 'src/linked.ts'));
    await writeRepoFile(root, 'src/linked.ts', 'new\n');
    expect((await lstat(path.join(root, 'src/linked.ts'))).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(root, 'src/real.ts'), 'utf8')).toBe('new\n');
  });

  it('creates a new file and the folders it needs', async () => {
    const root = await repoWith({});
    await writeRepoFile(root, 'src/tools/new-tool.ts', 'export {};\n');
    expect(await readFile(path.join(root, 'src/tools/new-tool.ts'), 'utf8')).toBe('export {};\n');
  });
});

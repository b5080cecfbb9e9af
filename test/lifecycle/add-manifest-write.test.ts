import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { add } from '../../src/commands/add.js';
import { renderRepo } from '../../src/steps/render.js';
import { snapshotTree, useTempDirs } from '../helpers/fs.js';

// `.mcp-prod.json` that cannot be written (read-only for a user who is not root, a full disk):
// the tests run as root here, where a read-only mode does not stop a write, so the write fails this way.
vi.mock('../../src/lifecycle/repo.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/lifecycle/repo.js')>()),
  writeManifest: async (root: string) => {
    throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: path.join(root, '.mcp-prod.json') });
  },
}));

const tempDir = useTempDirs('add-manifest-write-');

describe('add-tool when .mcp-prod.json cannot be written', () => {
  it('puts the index back, removes the new files, and fails with one line (exit 1)', async () => {
    const root = path.join(await tempDir(), 'repo');
    await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
    const before = await snapshotTree(root);
    const error = await add(parseCliArgs(['add-tool', 'fresh', '--yes']), { cwd: root, out: { info: () => undefined, warn: () => undefined } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      exitCode: 1,
      message: `add-tool failed, nothing changed: cannot record the new files in .mcp-prod.json: permission denied (${path.join(root, '.mcp-prod.json')})`,
    });
    expect(await snapshotTree(root)).toEqual(before);
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { add } from '../../src/commands/add.js';
import { CliError } from '../../src/errors.js';
import { renderRepo } from '../../src/steps/render.js';
import { snapshotTree, useTempDirs } from '../helpers/fs.js';

// A node-plop whose `modify` actions change nothing, as a pattern that finds no line does:
// the files it adds must not stay behind, and the run must not report success.
vi.mock('node-plop', () => ({
  default: async (_plopfile: unknown, { destBasePath }: { destBasePath: string }) => {
    let actions: { type: string; path: string }[] = [];
    return {
      setGenerator: (_name: string, config: { actions: typeof actions }) => {
        actions = config.actions;
      },
      getGenerator: () => ({
        runActions: async () => {
          for (const action of actions.filter(({ type }) => type === 'add')) {
            const file = path.join(destBasePath, action.path);
            await mkdir(path.dirname(file), { recursive: true });
            await writeFile(file, 'written\n');
          }
          return { changes: [], failures: [] };
        },
      }),
    };
  },
}));

const tempDir = useTempDirs('add-rollback-');

describe('add-tool when the insertion did not happen', () => {
  it('puts everything back and fails with one line', async () => {
    const root = path.join(await tempDir(), 'repo');
    await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
    const before = await snapshotTree(root);
    const error = await add(parseCliArgs(['add-tool', 'fresh', '--yes']), { cwd: root, out: { info: () => undefined, warn: () => undefined } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as CliError).message).toBe('add-tool failed, nothing changed: the lines were not inserted in src/tools/index.ts as expected');
    expect(await snapshotTree(root)).toEqual(before);
  });
});

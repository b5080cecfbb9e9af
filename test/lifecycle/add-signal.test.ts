import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { add } from '../../src/commands/add.js';
import { renderRepo } from '../../src/steps/render.js';
import { snapshotTree, useTempDirs } from '../helpers/fs.js';

// Ctrl-C or `kill` arriving while add-* writes: delivered as `.mcp-prod.json` is written, the last
// step, when the module, its test and the index are already in place.
const signalOnManifest = vi.hoisted(() => ({ signal: undefined as NodeJS.Signals | undefined }));
vi.mock('../../src/lifecycle/repo.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/lifecycle/repo.js')>();
  return {
    ...actual,
    writeManifest: async (...args: Parameters<typeof actual.writeManifest>) => {
      const { signal } = signalOnManifest;
      signalOnManifest.signal = undefined;
      if (signal !== undefined) process.emit(signal, signal);
      return actual.writeManifest(...args);
    },
  };
});

const tempDir = useTempDirs('add-signal-');

describe('add-tool stopped by a signal while writing', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s: puts the index and .mcp-prod.json back, removes the new files, exits %i', async (signal, exitCode) => {
    const root = path.join(await tempDir(), 'repo');
    await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
    const before = await snapshotTree(root);
    const listeners = process.listenerCount(signal);
    signalOnManifest.signal = signal;
    const error = await add(parseCliArgs(['add-tool', 'fresh', '--yes']), { cwd: root, out: { info: () => undefined, warn: () => undefined } }).catch(
      (caught: unknown) => caught,
    );
    expect(signalOnManifest.signal).toBeUndefined();
    expect(error).toMatchObject({ exitCode, message: 'add-tool cancelled; nothing changed' });
    expect(await snapshotTree(root)).toEqual(before);
    expect(process.listenerCount(signal)).toBe(listeners);
  });
});

import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { update } from '../../src/commands/update.js';
import type { Output } from '../../src/context.js';
import { renderRepo } from '../../src/steps/render.js';
import { snapshotTree, useTempDirs } from '../helpers/fs.js';

const tempDir = useTempDirs('update-');

async function freshRepo({ git }: { git: boolean }): Promise<string> {
  const root = path.join(await tempDir(), 'repo');
  await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
  if (git) {
    await execa('git', ['init', '-q'], { cwd: root });
    await execa('git', ['add', '-A'], { cwd: root });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init'], { cwd: root });
  }
  return root;
}

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

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { render } from '../../src/commands/render.js';
import { renderInProcess } from '../../src/lifecycle/render-version.js';
import { readTree, useTempDirs } from '../helpers/fs.js';

const tempDir = useTempDirs('render-command-');
const answers = { name: 'demo', description: 'd', transports: ['stdio', 'http'], db: 'postgres' } as const;

describe('render (the hidden, stable entry point a newer version calls)', () => {
  it('writes exactly what create renders for the answers, manifest included', async () => {
    const dir = await tempDir();
    const answersFile = path.join(dir, 'answers.json');
    await writeFile(answersFile, JSON.stringify(answers));
    expect(await render(parseCliArgs(['render', '--answers', answersFile, '--out', 'out']), dir)).toBe(0);
    const written = await readTree(path.join(dir, 'out'));
    const expected = await renderInProcess({ ...answers, transports: [...answers.transports] });
    expect([...written.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) expect(written.get(file)?.equals(content), file).toBe(true);
  });

  it('refuses a non-empty --out and a missing option with a usage error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'taken'), 'x');
    await expect(render(parseCliArgs(['render', '--answers', 'a.json', '--out', '.']), dir)).rejects.toMatchObject({ exitCode: 64 });
    await expect(render(parseCliArgs(['render', '--out', 'x']), dir)).rejects.toMatchObject({ exitCode: 64 });
  });
});

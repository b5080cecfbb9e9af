import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderInProcess } from '../src/lifecycle/render-version.js';
import { parseManifest } from '../src/render/manifest.js';
import { readTree } from './helpers/fs.js';

const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));

describe('examples/', () => {
  it('holds the stdio, http and all-options variants', async () => {
    expect((await readdir(examplesDir)).sort()).toEqual(['all-options', 'http', 'stdio']);
  });

  it.each(['stdio', 'http', 'all-options'])('examples/%s is exactly what the templates render today (run "npm run examples")', async (variant) => {
    const dir = path.join(examplesDir, variant);
    const { answers } = parseManifest(await readFile(path.join(dir, '.mcp-prod.json'), 'utf8'));
    const rendered = await renderInProcess(answers);
    const committed = await readTree(dir);
    expect([...committed.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [file, content] of rendered) {
      expect(committed.get(file)?.toString('utf8'), `examples/${variant}/${file}`).toBe(content.toString('utf8'));
    }
  });
});

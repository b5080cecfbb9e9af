import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers.js';
import { renderRepo } from '../../src/steps/render.js';

interface PackageJson {
  dependencies: Record<string, string>;
  overrides?: Record<string, Record<string, string>>;
  resolutions?: Record<string, string>;
  pnpm?: { overrides?: Record<string, string> };
  allowScripts?: Record<string, boolean>;
}

async function packageJsonFor(transports: Answers['transports']): Promise<PackageJson> {
  const files = await renderRepo({ answers: { name: 'demo', description: 'd', transports, db: 'none' } });
  return JSON.parse(String(files.get('package.json'))) as PackageJson;
}

describe('the generated package.json', () => {
  it('denies the install scripts npm 11 would warn about on every install (esbuild finds its binary without one)', async () => {
    for (const transports of [['stdio'], ['http'], ['stdio', 'http', 'sse']] as Answers['transports'][]) {
      expect((await packageJsonFor(transports)).allowScripts).toEqual({ esbuild: false, fsevents: false, protobufjs: false });
    }
  });

  it('with sse: the legacy transport uses the same SDK core as the server, for npm, yarn and pnpm', async () => {
    const pkg = await packageJsonFor(['stdio', 'http', 'sse']);
    const core = pkg.dependencies['@modelcontextprotocol/server'];
    expect(core).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.overrides).toEqual({ '@modelcontextprotocol/server-legacy': { '@modelcontextprotocol/core': core } });
    expect(pkg.resolutions).toEqual({ '@modelcontextprotocol/server-legacy/@modelcontextprotocol/core': core });
    expect(pkg.pnpm?.overrides).toEqual({ '@modelcontextprotocol/server-legacy>@modelcontextprotocol/core': core });
  });

  it('without sse: no overrides at all', async () => {
    const pkg = await packageJsonFor(['stdio', 'http']);
    expect(pkg.overrides).toBeUndefined();
    expect(pkg.resolutions).toBeUndefined();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { renderVersion } from '../../src/lifecycle/render-version.js';
import { parseManifest } from '../../src/render/manifest.js';
import { useTempDirs } from '../helpers/fs.js';
import { installedPackage } from '../helpers/package.js';

const tempDir = useTempDirs('render-version-');
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const answers = { name: 'demo', description: 'd', transports: ['stdio' as const], db: 'none' as const };

const savedCache = process.env.CREATE_MCP_PROD_CACHE;
afterEach(() => {
  if (savedCache === undefined) delete process.env.CREATE_MCP_PROD_CACHE;
  else process.env.CREATE_MCP_PROD_CACHE = savedCache;
});

describe('renderVersion: a recorded version rendered by its own package', () => {
  it('runs a package folder given with --from-package, and refuses one of another version (exit 69)', async () => {
    const dir = path.join(await tempDir(), 'pkg');
    await installedPackage(dir, '7.0.0');
    const tree = await renderVersion('7.0.0', answers, { cwd: repoRoot, fromPackage: dir });
    expect(parseManifest(tree.get('.mcp-prod.json')?.toString('utf8') ?? '').version).toBe('7.0.0');
    await expect(renderVersion('7.0.1', answers, { cwd: repoRoot, fromPackage: dir })).rejects.toMatchObject({
      exitCode: 69,
      message: expect.stringContaining('holds create-mcp-prod 7.0.0'),
    });
  });

  it('renders a registry version from the package cache', async () => {
    const cache = await tempDir();
    process.env.CREATE_MCP_PROD_CACHE = cache;
    // Never published, so only the cache can provide it.
    await installedPackage(path.join(cache, 'packages', '0.0.1-cached', 'node_modules', 'create-mcp-prod'), '0.0.1-cached');
    const tree = await renderVersion('0.0.1-cached', answers, { cwd: repoRoot });
    expect(parseManifest(tree.get('.mcp-prod.json')?.toString('utf8') ?? '').version).toBe('0.0.1-cached');
  });

  it('takes a relative CREATE_MCP_PROD_CACHE from where the command runs', async () => {
    // Under the current folder, so the relative path means nothing from anywhere else (a scratch folder).
    const cache = await mkdtemp(path.join(process.cwd(), '.test-cache-'));
    try {
      process.env.CREATE_MCP_PROD_CACHE = path.basename(cache);
      await installedPackage(path.join(cache, 'packages', '0.0.2-cached', 'node_modules', 'create-mcp-prod'), '0.0.2-cached');
      const tree = await renderVersion('0.0.2-cached', answers, { cwd: repoRoot });
      expect(parseManifest(tree.get('.mcp-prod.json')?.toString('utf8') ?? '').version).toBe('0.0.2-cached');
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('an empty CREATE_MCP_PROD_CACHE (a CI variable left blank) is unset, not the current folder', async () => {
    const xdg = await tempDir();
    const savedXdg = process.env.XDG_CACHE_HOME;
    process.env.CREATE_MCP_PROD_CACHE = '';
    process.env.XDG_CACHE_HOME = xdg;
    try {
      await installedPackage(path.join(xdg, 'create-mcp-prod', 'packages', '0.0.3-cached', 'node_modules', 'create-mcp-prod'), '0.0.3-cached');
      const tree = await renderVersion('0.0.3-cached', answers, { cwd: repoRoot });
      expect(parseManifest(tree.get('.mcp-prod.json')?.toString('utf8') ?? '').version).toBe('0.0.3-cached');
    } finally {
      if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = savedXdg;
    }
  });

  it('a version npm cannot provide is exit 69, naming --from-package', async () => {
    process.env.CREATE_MCP_PROD_CACHE = await tempDir();
    await expect(renderVersion('0.0.0-never-published', answers, { cwd: repoRoot })).rejects.toMatchObject({
      exitCode: 69,
      message: expect.stringMatching(/cannot render create-mcp-prod 0\.0\.0-never-published.*--from-package/),
    });
  });
});

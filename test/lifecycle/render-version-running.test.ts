import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { renderVersion } from '../../src/lifecycle/render-version.js';
import { parseManifest } from '../../src/render/manifest.js';
import { generatorPackage } from '../../src/version.js';
import { useTempDirs } from '../helpers/fs.js';

// Any second process (the package's own CLI, npm) would go through execa: here it cannot start one.
vi.mock('execa', () => ({
  execa: () => {
    throw new Error('started a process');
  },
}));

const tempDir = useTempDirs('render-version-running-');
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const answers = { name: 'demo', description: 'd', transports: ['stdio' as const], db: 'none' as const };

describe('renderVersion with --from-package naming the running package', () => {
  it('renders in process, even through a symbolic link to its folder', async () => {
    const link = path.join(await tempDir(), 'this-package');
    await symlink(repoRoot, link);
    const version = generatorPackage().version;
    const tree = await renderVersion(version, answers, { cwd: repoRoot, fromPackage: link });
    expect(parseManifest(tree.get('.mcp-prod.json')?.toString('utf8') ?? '').version).toBe(version);
  });

  it('still refuses it for another recorded version (exit 69)', async () => {
    await expect(renderVersion('0.0.0-other', answers, { cwd: repoRoot, fromPackage: repoRoot })).rejects.toMatchObject({ exitCode: 69 });
  });
});

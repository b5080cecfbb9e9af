import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * An installed create-mcp-prod of another version: this package's build and templates under a
 * different version number. `withoutTemplates` (paths under `templates/`) are left out, so the
 * running version adds those files to a repo of this one.
 */
export async function installedPackage(dir: string, version: string, withoutTemplates: string[] = []): Promise<void> {
  await mkdir(dir, { recursive: true });
  await cp(path.join(repoRoot, 'dist'), path.join(dir, 'dist'), { recursive: true });
  await cp(path.join(repoRoot, 'templates'), path.join(dir, 'templates'), { recursive: true });
  for (const template of withoutTemplates) await rm(path.join(dir, 'templates', template), { recursive: true });
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, version }));
}

import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CancelledError } from '../errors.js';

/**
 * Renders into a staging folder beside the target, then moves it into place, so an error or
 * Ctrl-C at any point leaves the target as it was. The staging folder is removed on every exit path.
 */
export async function writeAtomically<T>(targetDir: string, fill: (stagingDir: string) => Promise<T>): Promise<T> {
  const parent = path.dirname(targetDir);
  await mkdir(parent, { recursive: true });
  const stagingDir = await mkdtemp(path.join(parent, `.${path.basename(targetDir)}.create-mcp-prod-`));
  const onSigint = (): void => {
    rmSync(stagingDir, { recursive: true, force: true });
    process.exit(new CancelledError().exitCode);
  };
  process.once('SIGINT', onSigint);
  try {
    const result = await fill(stagingDir);
    await moveIntoPlace(stagingDir, targetDir);
    return result;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/**
 * A missing or empty target is replaced by one rename (atomic on one filesystem). A non-empty
 * target (only reachable with --force) receives the staged files one by one: every file is
 * already complete on disk, so nothing is ever half-written.
 */
async function moveIntoPlace(stagingDir: string, targetDir: string): Promise<void> {
  const existing = await stat(targetDir).catch(() => undefined);
  if (existing === undefined || (await readdir(targetDir)).length === 0) {
    if (existing !== undefined) await rmdir(targetDir);
    await rename(stagingDir, targetDir);
    return;
  }
  await mergeInto(stagingDir, targetDir);
}

async function mergeInto(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(to, entry.name);
    if (entry.isDirectory()) await mergeInto(source, destination);
    else await rename(source, destination);
  }
}

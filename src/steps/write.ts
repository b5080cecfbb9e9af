import { lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CancelledError, CliError } from '../errors.js';

/**
 * Renders into a staging folder beside the target, then moves it into place, so an error or
 * Ctrl-C at any point leaves the target as it was. The staging folder is removed on every exit path.
 */
export async function writeAtomically<T>(targetDir: string, fill: (stagingDir: string) => Promise<T>): Promise<T> {
  const parent = path.dirname(targetDir);
  // The first folder this call created, if any: removed again when the write does not complete.
  const createdParent = await mkdir(parent, { recursive: true });
  const stagingDir = await mkdtemp(path.join(parent, `.${path.basename(targetDir)}.create-mcp-prod-`));
  const cleanUp = (): void => {
    rmSync(stagingDir, { recursive: true, force: true });
    if (createdParent !== undefined) rmSync(createdParent, { recursive: true, force: true });
  };
  const onSigint = (): void => {
    cleanUp();
    process.exit(new CancelledError().exitCode);
  };
  process.once('SIGINT', onSigint);
  try {
    const result = await fill(stagingDir);
    await moveIntoPlace(stagingDir, targetDir);
    await rm(stagingDir, { recursive: true, force: true });
    return result;
  } catch (error) {
    cleanUp();
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/**
 * A missing target is created by one rename (atomic on one filesystem). An existing directory
 * (empty, `.`, or non-empty with --force) keeps its identity and receives the staged files one
 * by one, after a check that no staged path collides with a different kind of entry, so the move
 * cannot fail halfway; every file is complete on disk before it is moved.
 */
async function moveIntoPlace(stagingDir: string, targetDir: string): Promise<void> {
  if ((await stat(targetDir).catch(() => undefined)) === undefined) {
    await rename(stagingDir, targetDir);
    return;
  }
  await assertNoCollisions(stagingDir, targetDir);
  await mergeInto(stagingDir, targetDir);
}

async function assertNoCollisions(from: string, to: string, shown = ''): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const destination = path.join(to, entry.name);
    const existing = await lstat(destination).catch(() => undefined);
    const name = `${shown}${entry.name}`;
    if (existing === undefined) continue;
    if (entry.isDirectory() && !existing.isDirectory()) {
      throw new CliError(`cannot write ${name}/: a file with that name is in the way`);
    }
    if (!entry.isDirectory() && existing.isDirectory()) {
      throw new CliError(`cannot write ${name}: a directory with that name is in the way`);
    }
    if (entry.isDirectory()) await assertNoCollisions(path.join(from, entry.name), destination, `${name}/`);
  }
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

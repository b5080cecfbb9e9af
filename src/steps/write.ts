import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CliError, fileSystemError, isCliError } from '../errors.js';
import { STOP_SIGNALS, signalExitCode, type StopSignal } from '../stop-signals.js';

/** Where `--force` keeps the user's version of each file it replaces, inside the target. */
export const BACKUP_DIR = '.mcp-prod-backup';

export interface WriteOptions {
  /** Told, before anything moves, which existing files are replaced and where their old version goes. */
  onReplace?: (files: readonly string[], backupDir: string) => void;
  /** Called after each file moves into an existing target (progress; tests use it to interrupt). */
  onFileMoved?: (file: string) => void;
}

/**
 * Renders into a staging folder, then moves it into place, so an error or Ctrl-C at any point
 * leaves the target as it was:
 * - a new target is staged beside it and appears with one rename (atomic on one filesystem);
 * - an existing target (`.`, an empty folder, or `--force`) is staged inside itself, which works
 *   when its parent is not writable (common in containers), and receives the files one by one
 *   with a journal: on an error or Ctrl-C during the move, every step is undone. A file it
 *   replaces is first moved to `.mcp-prod-backup/<time>/`, so the user's version is never lost.
 * The root folder gets the mode a plain `mkdir` would give (umask), not the staging folder's 0700.
 * SIGTERM and SIGHUP are handled as Ctrl-C is, with their own exit codes (143, 129).
 */
export async function writeAtomically<T>(
  targetDir: string,
  fill: (stagingDir: string) => Promise<T>,
  options: WriteOptions = {},
): Promise<T> {
  const targetExists = (await stat(targetDir).catch(() => undefined)) !== undefined;
  let createdParent: string | undefined;
  let staging: string;
  try {
    if (targetExists) {
      staging = await mkdtemp(path.join(targetDir, '.create-mcp-prod-'));
    } else {
      const parent = path.dirname(targetDir);
      createdParent = await mkdir(parent, { recursive: true });
      staging = await mkdtemp(path.join(parent, `.${stagingNameFor(targetDir)}.create-mcp-prod-`));
    }
  } catch (error) {
    // `mkdir -p` through a file says EEXIST: the same problem as ENOTDIR, said the same way.
    const code = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'ENOTDIR' : (error as NodeJS.ErrnoException).code;
    throw fileSystemError(Object.assign(new Error(), { code, path: (error as NodeJS.ErrnoException).path }), `cannot write ${targetDir}`);
  }
  const root = path.join(staging, 'repo');

  const cleanUp = (): void => {
    rmSync(staging, { recursive: true, force: true });
    if (createdParent !== undefined) rmSync(createdParent, { recursive: true, force: true });
  };
  // While rendering, a stop signal removes the staging folder and exits; while moving, it only asks
  // the move to stop, and the move undoes what it did before the error reaches the user.
  let moving = false;
  let interrupted: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (moving) {
      interrupted ??= signal;
      return;
    }
    cleanUp();
    process.exit(signalExitCode(signal));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    await mkdir(root);
    const result = await fill(root);
    moving = true;
    const stop = (): number | undefined => (interrupted === undefined ? undefined : signalExitCode(interrupted));
    if (targetExists) await mergeInto(root, targetDir, stop, options);
    else await renameInto(root, targetDir, stop);
    await rm(staging, { recursive: true, force: true });
    return result;
  } catch (error) {
    cleanUp();
    if (isCliError(error)) throw error;
    if ((error as NodeJS.ErrnoException).code !== undefined) throw fileSystemError(error, `cannot write ${targetDir}`);
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
  }
}

/**
 * The start of the target's name, for a staging folder a user can tell apart: not all of it, since
 * a name near the file system's limit (255 bytes) would be too long with our suffix added.
 */
function stagingNameFor(targetDir: string): string {
  return Array.from(path.basename(targetDir)).slice(0, 32).join('');
}

function cancelledUndone(targetDir: string, exitCode: number): CliError {
  return new CliError(`cancelled; nothing was written to ${targetDir}`, exitCode);
}

/** `stop()` gives the exit code once a stop signal came, undefined until then. */
type StopCheck = () => number | undefined;

async function renameInto(root: string, targetDir: string, stop: StopCheck): Promise<void> {
  await rename(root, targetDir);
  const stopped = stop();
  if (stopped !== undefined) {
    await rename(targetDir, root);
    throw cancelledUndone(targetDir, stopped);
  }
}

/** One step of a move into an existing folder, with what undoing it takes. */
type Step = { kind: 'dir'; path: string } | { kind: 'file'; from: string; to: string } | { kind: 'backup'; from: string; to: string };

async function mergeInto(root: string, targetDir: string, stop: StopCheck, options: WriteOptions): Promise<void> {
  const files = await listFiles(root);
  await assertNoCollisions(targetDir, files);
  const replaced: string[] = [];
  const unchanged = new Set<string>();
  for (const file of files) {
    const existing = await lstat(path.join(targetDir, file)).catch(() => undefined);
    if (existing === undefined) continue;
    if (existing.isFile() && (await sameContent(path.join(root, file), path.join(targetDir, file)))) unchanged.add(file);
    else replaced.push(file);
  }
  const backupRoot = path.join(targetDir, BACKUP_DIR, new Date().toISOString().replace(/[:.]/g, '-'));
  if (replaced.length > 0) options.onReplace?.(replaced, backupRoot);

  const journal: Step[] = [];
  try {
    for (const file of files) {
      if (unchanged.has(file)) continue;
      const destination = path.join(targetDir, file);
      await ensureDir(path.dirname(destination), journal);
      if (replaced.includes(file)) {
        const backup = path.join(backupRoot, file);
        await ensureDir(path.dirname(backup), journal);
        await rename(destination, backup);
        journal.push({ kind: 'backup', from: destination, to: backup });
      }
      await rename(path.join(root, file), destination);
      journal.push({ kind: 'file', from: path.join(root, file), to: destination });
      options.onFileMoved?.(file);
      const stopped = stop();
      if (stopped !== undefined) throw cancelledUndone(targetDir, stopped);
    }
    const stopped = stop();
    if (stopped !== undefined) throw cancelledUndone(targetDir, stopped);
  } catch (error) {
    await undo(journal);
    throw error;
  }
}

/** Every step in reverse: moved files go back to staging, backups back in place, new folders away. */
async function undo(journal: Step[]): Promise<void> {
  for (const step of journal.reverse()) {
    if (step.kind === 'dir') await rmdir(step.path).catch(() => undefined);
    else await rename(step.to, step.from);
  }
}

async function ensureDir(dir: string, journal: Step[]): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; (await lstat(current).catch(() => undefined)) === undefined; current = path.dirname(current)) {
    missing.unshift(current);
  }
  for (const folder of missing) {
    await mkdir(folder);
    journal.push({ kind: 'dir', path: folder });
  }
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([readFile(a), readFile(b)]);
  return left.equals(right);
}

/** Relative paths of every file under root, parents before children, in a stable order. */
async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  const entries = (await readdir(path.join(root, prefix), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, relative)));
    else files.push(relative);
  }
  return files;
}

/** A staged path that meets a different kind of entry would fail halfway: refuse before moving. */
async function assertNoCollisions(targetDir: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const parts = file.split(path.sep);
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join(path.sep);
      const existing = await lstat(path.join(targetDir, folder)).catch(() => undefined);
      if (existing !== undefined && !existing.isDirectory()) {
        throw new CliError(`cannot write ${folder.split(path.sep).join('/')}/: a file with that name is in the way`);
      }
    }
    const existing = await lstat(path.join(targetDir, file)).catch(() => undefined);
    if (existing?.isDirectory()) {
      throw new CliError(`cannot write ${file.split(path.sep).join('/')}: a directory with that name is in the way`);
    }
  }
}

import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { CliError, ExitCode, fileSystemError } from '../errors.js';

/** Held in the repo root while a command changes the repo; gitignored by the base template. */
export const LOCK_FILE = '.mcp-prod.lock';

/**
 * Runs `work` while holding the repo's lock, so two commands never read and write the same files
 * at once. A second command fails at once instead of waiting: the user sees one line and can
 * run it again. The lock goes away when `work` ends, also when it fails.
 */
export async function withRepoLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lock = path.join(root, LOCK_FILE);
  await takeLock(lock);
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

async function takeLock(lock: string): Promise<void> {
  if (await createLock(lock)) return;
  const holder = await readHolder(lock);
  if (holder === undefined) {
    // Gone between our attempt and the read: its holder just finished.
    if (await createLock(lock)) return;
  } else if (!isAlive(holder)) {
    // Left by a run that was killed. Removed only while it still names that run, then one more
    // try: of two runs taking over together, one creates the lock and the other is refused.
    if ((await readHolder(lock)) === holder) await rm(lock, { force: true });
    if (await createLock(lock)) return;
  }
  throw busy(lock, holder ?? (await readHolder(lock)));
}

/** Creates the lock holding our pid; false when it is already there. */
async function createLock(lock: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lock, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileSystemError(error, `could not create ${LOCK_FILE}`);
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } catch (error) {
    // A full disk creates the file but not its content: an empty lock left behind names no
    // holder, so every later run would be refused until someone deleted it.
    await handle.close();
    await rm(lock, { force: true });
    throw fileSystemError(error, `could not create ${LOCK_FILE}`);
  }
  await handle.close();
  return true;
}

/** The pid in the lock: NaN when it holds anything else, undefined when there is no lock. */
async function readHolder(lock: string): Promise<number | undefined> {
  const text = await readFile(lock, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw fileSystemError(error, `could not read ${LOCK_FILE}`);
  });
  if (text === undefined) return undefined;
  return /^[1-9][0-9]*$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

/** Whether the lock's holder still runs. A lock without a pid counts as held: we cannot tell. */
function isAlive(pid: number): boolean {
  if (Number.isNaN(pid)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function busy(lock: string, holder: number | undefined): CliError {
  const who = holder === undefined || Number.isNaN(holder) ? '' : ` (pid ${holder})`;
  return new CliError(`another create-mcp-prod command is changing this repo${who}; if none is running, delete ${lock}`, ExitCode.tempFail);
}

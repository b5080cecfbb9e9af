import { constants } from 'node:fs';
import { open, mkdir, readdir, rm, statfs, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { KeyedLock } from '../lib/lock.js';

export interface NoteEntry {
  text: string;
  addedAt: string;
}

export interface Note {
  name: string;
  entries: NoteEntry[];
  /** Set when the note's file is larger than MAX_NOTE_BYTES (it was put there by hand): only the lines within its first MAX_NOTE_BYTES were read. */
  truncated?: true;
}

/**
 * A note's largest size on disk. append_note refuses a line that would take a note past it, and
 * no read loads more of a file than this: reading and parsing a note is synchronous work, so an
 * unbounded note would stall the event loop and fill memory for every reader.
 */
export const MAX_NOTE_BYTES = 1024 * 1024;

/** Note names become file names and URI segments: letters, digits, space, `.`, `_`, `-`; no leading dot. */
export const NOTE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

/** One JSON entry a line: an append writes one line and never rewrites what is already there. */
const SUFFIX = '.jsonl';

/** Written and removed by the readiness check (a dot name is never a note). */
const PROBE_FILE = '.readiness-probe';

/** Below this much free space the store reports itself not ready, before appends start failing. */
const MIN_FREE_BYTES = 1024 * 1024;

/** The line would take the note past MAX_NOTE_BYTES: nothing was written. */
export class NoteTooLargeError extends Error {
  override name = 'NoteTooLargeError';
  constructor(name: string) {
    super(`note ${JSON.stringify(name)} is full: a note holds at most ${MAX_NOTE_BYTES / 1024 / 1024} MiB; the line was not added, start another note`);
  }
}

/** The disk (or the user's quota) is full: nothing was written, and retrying now will not help. */
export class NoteStoreFullError extends Error {
  override name = 'NoteStoreFullError';
  constructor(cause: unknown) {
    super('the server has no disk space left for notes; the note was not changed', { cause });
  }
}

/**
 * The example's shared resource: one JSON Lines file per note. An append is written and flushed
 * to disk (fsync) before it is acknowledged, so a crash never loses an acknowledged line; a line
 * torn by a crash mid-write is cut off before the next append. A keyed lock serialises appends
 * per note, so concurrent calls cannot lose each other's lines, while appends to different notes
 * still run in parallel.
 */
export class NoteStore {
  private readonly lock = new KeyedLock();
  /** Who waits for a line in which note (watch_note); each waiter removes itself when done. */
  private readonly watchers = new Map<string, Set<(entry: NoteEntry) => void>>();

  constructor(private readonly dir: string) {}

  /** Creates the folder and removes temporary files an earlier version left behind in a crash. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const file of await readdir(this.dir)) {
      if (file.endsWith('.tmp') || file === PROBE_FILE) await rm(path.join(this.dir, file), { force: true });
    }
  }

  async append(name: string, text: string, signal?: AbortSignal): Promise<Note> {
    assertNoteName(name);
    return this.lock.run(
      name,
      async () => {
        const entry = { text, addedAt: new Date().toISOString() };
        await this.appendLine(name, `${JSON.stringify(entry)}\n`);
        for (const notify of this.watchers.get(name) ?? []) notify(entry);
        return (await this.get(name)) ?? { name, entries: [entry] };
      },
      signal ? { signal } : undefined,
    );
  }

  /**
   * Readiness: the folder takes a write that reaches the disk, and the disk has room left. A full
   * disk makes the server unready before it turns every append into an error.
   */
  async checkWritable(): Promise<void> {
    const { bavail, bsize } = await statfs(this.dir);
    const free = bavail * bsize;
    if (free < MIN_FREE_BYTES) throw new Error(`only ${free} bytes free on the disk of ${this.dir}`);
    const probe = path.join(this.dir, PROBE_FILE);
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile('ok');
      await handle.sync();
    } catch (error) {
      throw isDiskFull(error) ? new Error(`the disk of ${this.dir} is full`, { cause: error }) : error;
    } finally {
      await handle.close();
      await rm(probe, { force: true });
    }
  }

  /** The note's entries; of a file larger than MAX_NOTE_BYTES, only the lines within its first MAX_NOTE_BYTES. */
  async get(name: string): Promise<Note | undefined> {
    assertNoteName(name);
    const read = await readAtMost(this.fileFor(name), MAX_NOTE_BYTES);
    if (!read) return undefined;
    // Only complete lines count: a last line without its newline was torn by a crash (or cut by the cap).
    const complete = read.bytes.subarray(0, read.bytes.lastIndexOf(0x0a) + 1).toString('utf8');
    const entries = complete
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as NoteEntry);
    return read.truncated ? { name, entries, truncated: true } : { name, entries };
  }

  /**
   * Resolves with the next entry appended to `name`, or undefined after `timeoutMs`; rejects
   * when `signal` aborts. Listeners and timers are removed on every path.
   */
  nextEntry(name: string, timeoutMs: number, signal: AbortSignal): Promise<NoteEntry | undefined> {
    assertNoteName(name);
    return new Promise((resolve, reject) => {
      const waiters = this.watchers.get(name) ?? new Set();
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(onEntry);
        if (waiters.size === 0) this.watchers.delete(name);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onEntry = (entry: NoteEntry) => finish(() => resolve(entry));
      const onAbort = () => finish(() => reject(signal.reason));
      const timer = setTimeout(() => finish(() => resolve(undefined)), timeoutMs);
      if (signal.aborted) return onAbort();
      waiters.add(onEntry);
      this.watchers.set(name, waiters);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waiters now, for leak checks. */
  get watcherCount(): number {
    let count = 0;
    for (const waiters of this.watchers.values()) count += waiters.size;
    return count;
  }

  /** Note names in a stable order (code-point order, not locale), so pagination cursors stay valid. */
  async list(): Promise<string[]> {
    const files = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return files
      .filter((file) => file.endsWith(SUFFIX))
      .map((file) => decodeURIComponent(file.slice(0, -SUFFIX.length)))
      .filter((name) => NOTE_NAME.test(name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Appends one line durably: a torn last line from an earlier crash is cut off first, the line
   * is written and fsynced, and a new file's folder entry is fsynced too. A failed write is
   * rolled back to the old length, so a note never keeps half a line. A line that would take the
   * note past MAX_NOTE_BYTES is refused (NoteTooLargeError) and nothing is written.
   */
  private async appendLine(name: string, line: string): Promise<void> {
    const file = this.fileFor(name);
    let handle: FileHandle;
    try {
      handle = await open(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);
    } catch (error) {
      throw isDiskFull(error) ? new NoteStoreFullError(error) : error;
    }
    let size: number;
    try {
      // Checked first, so a file already past the cap (put there by hand) is never read whole.
      if ((await handle.stat()).size + Buffer.byteLength(line) > MAX_NOTE_BYTES) throw new NoteTooLargeError(name);
      size = await cutTornLine(handle);
      try {
        await handle.appendFile(line);
        await handle.sync();
      } catch (error) {
        await handle.truncate(size).catch(() => {});
        if (size === 0) await rm(file, { force: true });
        throw isDiskFull(error) ? new NoteStoreFullError(error) : error;
      }
    } finally {
      await handle.close();
    }
    if (size === 0) await syncFolder(this.dir);
  }

  private fileFor(name: string): string {
    return path.join(this.dir, `${encodeURIComponent(name)}${SUFFIX}`);
  }
}

export class NoteNameError extends Error {
  override name = 'NoteNameError';
}

/** The first `maxBytes` of a file (undefined if there is none), and whether there was more. */
async function readAtMost(file: string, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(Math.min(size, maxBytes));
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: bytes.subarray(0, filled), truncated: size > maxBytes };
  } finally {
    await handle.close();
  }
}

/** Cuts a last line that has no newline (a write torn by a crash); returns the file's length after. */
async function cutTornLine(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return size;
  const content = await handle.readFile();
  const keep = content.lastIndexOf(0x0a) + 1;
  await handle.truncate(keep);
  await handle.sync();
  return keep;
}

/** Makes a new file's name durable: fsync the folder that holds it. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

function assertNoteName(name: string): void {
  if (!NOTE_NAME.test(name)) {
    throw new NoteNameError(`invalid note name ${JSON.stringify(name)}: use 1-64 letters, digits, spaces, ".", "_" or "-"`);
  }
}

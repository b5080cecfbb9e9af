import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KeyedLock } from '../lib/lock.js';

export interface NoteEntry {
  text: string;
  addedAt: string;
}

export interface Note {
  name: string;
  entries: NoteEntry[];
}

/** Note names become file names and URI segments: letters, digits, space, `.`, `_`, `-`; no leading dot. */
export const NOTE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

const SUFFIX = '.json';

/**
 * The example's shared resource: one JSON file per note. Appending is read-modify-write with an
 * `await` in the middle, so two concurrent calls on one note would lose an entry; a keyed lock
 * serialises calls per note (fix 3) while calls on different notes still run in parallel.
 */
export class NoteStore {
  private readonly lock = new KeyedLock();
  /** Who waits for a line in which note (watch_note); each waiter removes itself when done. */
  private readonly watchers = new Map<string, Set<(entry: NoteEntry) => void>>();

  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async append(name: string, text: string, signal?: AbortSignal): Promise<Note> {
    assertNoteName(name);
    return this.lock.run(
      name,
      async () => {
        const note = (await this.get(name)) ?? { name, entries: [] };
        const entry = { text, addedAt: new Date().toISOString() };
        note.entries.push(entry);
        await this.write(note);
        for (const notify of this.watchers.get(name) ?? []) notify(entry);
        return note;
      },
      signal ? { signal } : undefined,
    );
  }

  async get(name: string): Promise<Note | undefined> {
    assertNoteName(name);
    try {
      return JSON.parse(await readFile(this.fileFor(name), 'utf8')) as Note;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
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

  /** Readers never see a half-written file: write a temporary file, then rename over the old one. */
  private async write(note: Note): Promise<void> {
    const file = this.fileFor(note.name);
    const temporary = `${file}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(note));
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  private fileFor(name: string): string {
    return path.join(this.dir, `${encodeURIComponent(name)}${SUFFIX}`);
  }
}

export class NoteNameError extends Error {
  override name = 'NoteNameError';
}

function assertNoteName(name: string): void {
  if (!NOTE_NAME.test(name)) {
    throw new NoteNameError(`invalid note name ${JSON.stringify(name)}: use 1-64 letters, digits, spaces, ".", "_" or "-"`);
  }
}

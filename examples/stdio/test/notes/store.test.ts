import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_NOTE_BYTES, NoteNameError, NoteStore, NoteStoreFullError, NoteTooLargeError } from '../../src/notes/store.js';

let dir: string;
let store: NoteStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notes-'));
  store = new NoteStore(dir);
  await store.init();
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('NoteStore', () => {
  it('appends entries in order and reads them back', async () => {
    await store.append('todo', 'first');
    await store.append('todo', 'second');
    expect((await store.get('todo'))?.entries.map((entry) => entry.text)).toEqual(['first', 'second']);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('loses no entry when 50 appends to one note run at once (keyed lock)', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append('busy', `line ${i}`)));
    const texts = (await store.get('busy'))?.entries.map((entry) => entry.text) ?? [];
    expect(texts).toHaveLength(50);
    expect(new Set(texts).size).toBe(50);
  });

  it('keeps notes apart when different notes are appended at once', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`note ${i % 4}`, `line ${i}`)));
    for (let n = 0; n < 4; n++) expect((await store.get(`note ${n}`))?.entries).toHaveLength(5);
    expect(await store.list()).toEqual(['note 0', 'note 1', 'note 2', 'note 3']);
  });

  it('lists names in code-point order and round-trips unusual names', async () => {
    for (const name of ['zeta', 'Alpha', 'café menu', '東京', 'a.b_c-d']) await store.append(name, 'x');
    expect(await store.list()).toEqual(['Alpha', 'a.b_c-d', 'café menu', 'zeta', '東京']);
  });

  it('rejects names that could escape the folder or hide a file', async () => {
    for (const name of ['../x', '.hidden', 'a/b', '', 'x'.repeat(65)]) {
      await expect(store.append(name, 'x')).rejects.toThrow(NoteNameError);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no temporary files behind', async () => {
    await Promise.all(Array.from({ length: 10 }, () => store.append('tidy', 'x')));
    expect(await readdir(dir)).toEqual(['tidy.jsonl']);
  });

  it('does not run an append whose signal aborted while it waited for the lock', async () => {
    const controller = new AbortController();
    const first = store.append('slow', 'kept');
    const second = store.append('slow', 'dropped', controller.signal);
    const refused = expect(second).rejects.toThrow('client went away');
    controller.abort(new Error('client went away'));
    await first;
    await refused;
    expect((await store.get('slow'))?.entries.map((entry) => entry.text)).toEqual(['kept']);
  });
});

describe('NoteStore durability', () => {
  // Linux's /dev/full fails every write with ENOSPC: a real full disk, without filling one.
  const hasDevFull = existsSync('/dev/full');

  it('appends a line without rewriting the note: same file, old bytes untouched', async () => {
    await store.append('log', 'first');
    const file = path.join(dir, 'log.jsonl');
    const before = await readFile(file, 'utf8');
    const { ino } = await stat(file);
    await store.append('log', 'second');
    const after = await readFile(file, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toMatch(/^\{"text":"second","addedAt":"[^"]+"\}\n$/);
    expect((await stat(file)).ino).toBe(ino);
  });

  it('ignores a line torn by a crash, and cuts it off before the next append', async () => {
    await store.append('torn', 'kept');
    await appendFile(path.join(dir, 'torn.jsonl'), '{"text":"half a li');
    expect((await store.get('torn'))?.entries.map((entry) => entry.text)).toEqual(['kept']);
    await store.append('torn', 'next');
    expect((await store.get('torn'))?.entries.map((entry) => entry.text)).toEqual(['kept', 'next']);
    expect((await readFile(path.join(dir, 'torn.jsonl'), 'utf8')).split('\n')).toHaveLength(3);
  });

  it('removes temporary files left by a crash when it starts', async () => {
    await store.append('kept', 'x');
    await writeFile(path.join(dir, 'kept.json.0b6c7a52.tmp'), '{"name":"kept"');
    await writeFile(path.join(dir, '.readiness-probe'), 'ok');
    await new NoteStore(dir).init();
    expect(await readdir(dir)).toEqual(['kept.jsonl']);
  });

  it.skipIf(!hasDevFull)('turns a full disk into a clear NoteStoreFullError and leaves the note as it was', async () => {
    await symlink('/dev/full', path.join(dir, 'full.jsonl'));
    const failed = store.append('full', 'no room');
    await expect(failed).rejects.toThrow(NoteStoreFullError);
    await expect(failed).rejects.toThrow('no disk space left');
    expect(await store.get('full')).toBeUndefined();
  });

  it.skipIf(!hasDevFull)('is not ready when a write cannot reach the disk, and ready otherwise', async () => {
    await expect(store.checkWritable()).resolves.toBeUndefined();
    await symlink('/dev/full', path.join(dir, '.readiness-probe'));
    await expect(store.checkWritable()).rejects.toThrow('is full');
    // The probe leaves nothing behind.
    expect(await readdir(dir)).toEqual([]);
  });
});

/** JSON Lines of `count` entries, each line `lineBytes` long (newline included), as append writes them. */
function noteLines(count: number, lineBytes: number): string {
  const empty = JSON.stringify({ text: '', addedAt: '2026-01-01T00:00:00.000Z' }).length + 1;
  return Array.from({ length: count }, (_, i) => `${JSON.stringify({ text: `${i}`.padEnd(lineBytes - empty, '.'), addedAt: '2026-01-01T00:00:00.000Z' })}\n`).join('');
}

describe('NoteStore size cap (MAX_NOTE_BYTES)', () => {
  it('adds a line that fits under the cap, refuses one that would pass it, and leaves the note as it was', async () => {
    const file = path.join(dir, 'full.jsonl');
    const nearlyFull = noteLines(Math.floor(MAX_NOTE_BYTES / 1000) - 1, 1000);
    await writeFile(file, nearlyFull);
    await store.append('full', 'fits');
    const before = await readFile(file, 'utf8');
    const room = MAX_NOTE_BYTES - Buffer.byteLength(before);
    await expect(store.append('full', 'x'.repeat(room))).rejects.toThrow(NoteTooLargeError);
    await expect(store.append('full', 'x'.repeat(room))).rejects.toThrow(/at most 1 MiB/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('reads only the lines within the first MAX_NOTE_BYTES of a larger file put there by hand, and says so', async () => {
    const perCap = MAX_NOTE_BYTES / 1024;
    await writeFile(path.join(dir, 'huge.jsonl'), noteLines(perCap * 30, 1024));
    const note = await store.get('huge');
    expect(note?.truncated).toBe(true);
    expect(note?.entries).toHaveLength(perCap);
    expect(note?.entries.at(-1)?.text).toMatch(new RegExp(`^${perCap - 1}\\.`));
    // Appending to it is refused too, without reading it whole.
    await expect(store.append('huge', 'more')).rejects.toThrow(NoteTooLargeError);
  });

  it('does not mark a note that fits as cut', async () => {
    await store.append('small', 'x');
    expect((await store.get('small'))?.truncated).toBeUndefined();
  });
});

describe('NoteStore.nextEntry', () => {
  it('resolves every waiter on that note, and only those, leaving no waiter behind', async () => {
    const waits = Array.from({ length: 20 }, () => store.nextEntry('inbox', 60_000, new AbortController().signal));
    const other = store.nextEntry('other', 50, new AbortController().signal);
    expect(store.watcherCount).toBe(21);
    await store.append('inbox', 'ping');
    expect((await Promise.all(waits)).map((entry) => entry?.text)).toEqual(Array.from({ length: 20 }, () => 'ping'));
    expect(await other).toBeUndefined();
    expect(store.watcherCount).toBe(0);
  });

  it('rejects with the abort reason and removes the waiter', async () => {
    const controller = new AbortController();
    const wait = store.nextEntry('inbox', 60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(wait).rejects.toThrow('cancelled');
    expect(store.watcherCount).toBe(0);
  });
});

import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NOTE_BYTES } from '../../src/notes/store.js';
import { dataOf, textOf, useInMemoryServer } from '../helpers/client.js';

const server = useInMemoryServer();

describe('append_note', () => {
  it('creates the note and answers with its semantic URI', async () => {
    const result = await server.client.callTool({ name: 'append_note', arguments: { note: 'shopping list', text: 'milk & eggs' } });
    expect(dataOf(result)).toEqual({ uri: 'notes://note/shopping%20list', line: 1 });

    const read = await server.client.readResource({ uri: 'notes://note/shopping%20list' });
    expect(read.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: '# shopping list\n\n- milk & eggs\n' });
  });

  it('gives every one of 50 concurrent calls its own answer and keeps every line', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => server.client.callTool({ name: 'append_note', arguments: { note: 'log', text: `entry ${i}` } })),
    );
    const lineNumbers = results.map((result) => dataOf<{ line: number }>(result).line);
    expect(lineNumbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await server.services.notes.get('log'))?.entries).toHaveLength(50);
  });

  it('accepts a name in any script, though its schema sends no Unicode regex', async () => {
    expect(dataOf(await server.client.callTool({ name: 'append_note', arguments: { note: 'Café 日本', text: 'x' } }))).toEqual({
      uri: 'notes://note/Caf%C3%A9%20%E6%97%A5%E6%9C%AC',
      line: 1,
    });
  });

  it('refuses a name that could escape the data folder, as a tool error', async () => {
    const result = await server.client.callTool({ name: 'append_note', arguments: { note: '../../etc/passwd', text: 'x' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('letters, digits');
    expect(await server.services.notes.list()).toEqual([]);
  });

  it('refuses, as a tool error, a line that would take the note past its size cap, and leaves the note as it was', async () => {
    const file = path.join(server.services.config.dataDir, 'notes', 'big.jsonl');
    const line = `${JSON.stringify({ text: 'x'.repeat(1_000), addedAt: '2026-01-01T00:00:00.000Z' })}\n`;
    await writeFile(file, line.repeat(Math.floor((MAX_NOTE_BYTES - 1_000) / line.length)));
    const before = await readFile(file, 'utf8');
    const result = await server.client.callTool({ name: 'append_note', arguments: { note: 'big', text: 'y'.repeat(2_000) } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/note "big" is full: a note holds at most 1 MiB/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it.skipIf(!existsSync('/dev/full'))('reports a full disk as a clear tool error, not a crash', async () => {
    // /dev/full fails every write with ENOSPC, as a full disk does.
    await symlink('/dev/full', path.join(server.services.config.dataDir, 'notes', 'noroom.jsonl'));
    const result = await server.client.callTool({ name: 'append_note', arguments: { note: 'noroom', text: 'x' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('no disk space left');
  });
});

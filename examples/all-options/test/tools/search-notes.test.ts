import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectInMemory, dataOf, textOf } from '../helpers/client.js';
import { readAllPages } from '../helpers/pages.js';
import { createTestServices, type TestServices } from '../helpers/services.js';

interface Match {
  note: string;
  uri: string;
  line: number;
  text: string;
}

let services: TestServices | undefined;
let client: Client | undefined;

async function setup(env: Record<string, string> = {}) {
  services = await createTestServices(env);
  client = await connectInMemory(services);
  return { services, client };
}

afterEach(async () => {
  await client?.close();
  await services?.cleanup();
});

interface Page {
  matches: Match[];
  nextCursor?: string;
  notice?: string;
}

async function search(client: Client, query: string, cursor?: string): Promise<Page & { text: string }> {
  const result = await client.callTool({ name: 'search_notes', arguments: { query, ...(cursor && { cursor }) } });
  return { ...dataOf<Page>(result), text: textOf(result) };
}

/** Follows nextCursor to the end; a cursor that stopped moving would fail the page limit. */
async function readAll(client: Client, query: string, maxPages = 100): Promise<{ items: Match[]; pages: number }> {
  const pages = await readAllPages((cursor) => search(client, query, cursor), maxPages);
  return { items: pages.flatMap((page) => page.matches), pages: pages.length };
}

describe('search_notes', () => {
  it('pages through 260 matches across notes, every line exactly once, in order', async () => {
    const { services, client } = await setup();
    for (let n = 0; n < 4; n++) {
      for (let i = 0; i < 65; i++) await services.notes.append(`note ${n}`, `match ${n}-${i}`);
      await services.notes.append(`note ${n}`, 'unrelated');
    }
    const { items, pages } = await readAll(client, 'MATCH');
    expect(pages).toBe(6);
    expect(items.map((item) => item.text)).toEqual(
      Array.from({ length: 4 }, (_, n) => Array.from({ length: 65 }, (_, i) => `match ${n}-${i}`)).flat(),
    );
    expect(items[0]).toMatchObject({ note: 'note 0', uri: 'notes://note/note%200', line: 1 });
  });

  it('keeps a page under MAX_RESULT_CHARS with valid JSON, and the cursor resumes after the last line shown', async () => {
    const { services, client } = await setup({ MAX_RESULT_CHARS: '2000' });
    for (let i = 0; i < 30; i++) await services.notes.append('long', `needle ${i} ${'x'.repeat(150)}`);

    const first = await search(client, 'needle');
    expect(first.text.length).toBeLessThanOrEqual(2000);
    expect(first.notice).toMatch(/^Page cut to \d+ of 30 items/);

    const { items } = await readAll(client, 'needle');
    expect(items.map((item) => item.line)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('finds lines appended while paging, without repeating any', async () => {
    const { services, client } = await setup();
    for (let i = 0; i < 60; i++) await services.notes.append('grow', `hit ${i}`);
    const first = await search(client, 'hit');
    await services.notes.append('grow', 'hit late');
    const second = await search(client, 'hit', first.nextCursor);
    expect([...first.matches, ...second.matches].map((item) => item.text)).toEqual([
      ...Array.from({ length: 60 }, (_, i) => `hit ${i}`),
      'hit late',
    ]);
  });

  it('rejects a tampered cursor or one from another query as a tool error', async () => {
    const { services, client } = await setup();
    for (let i = 0; i < 60; i++) await services.notes.append('n', `abc ${i}`);
    const { nextCursor } = await search(client, 'abc');

    const otherQuery = await client.callTool({ name: 'search_notes', arguments: { query: 'ab', cursor: nextCursor } });
    expect(otherQuery.isError).toBe(true);
    expect(textOf(otherQuery)).toContain('invalid cursor');

    const garbage = await client.callTool({ name: 'search_notes', arguments: { query: 'abc', cursor: 'not-a-cursor!' } });
    expect(garbage.isError).toBe(true);
  });

  it('answers an empty list, without a cursor, when nothing matches', async () => {
    const { client } = await setup();
    const page = await search(client, 'nothing');
    expect(page.text).toBe('{"matches":[]}');
    expect(page.nextCursor).toBeUndefined();
  });

  it('shows the start of a 1 MB line, shortened in place, and the cursor moves on to the next line', async () => {
    const { services, client } = await setup({ MAX_RESULT_CHARS: '4000' });
    await services.notes.append('big', `needle ${'abcdefghij'.repeat(100_000)}`);
    await services.notes.append('big', 'needle small');

    const first = await search(client, 'needle');
    expect(first.text.length).toBeLessThanOrEqual(4000);
    expect(first.matches).toHaveLength(1);
    expect(first.matches[0]).toMatchObject({ note: 'big', line: 1 });
    expect(first.matches[0]?.text).toMatch(/^needle abcdefghijabcdefghij.*… \[\d+ more characters cut\]$/);
    expect(first.notice).toContain('Read the whole note through its uri');

    const { items, pages } = await readAll(client, 'needle', 5);
    expect(items.map((item) => item.line)).toEqual([1, 2]);
    expect(pages).toBeLessThanOrEqual(2);
  });

  it('ends for every mix of line sizes and caps: each line once, in order, each page within the cap', async () => {
    const { services, client } = await setup({ MAX_RESULT_CHARS: '1000' });
    const sizes = [10, 990, 5_000, 1, 30_000, 200, 999, 1_000, 2, 80_000];
    for (const [i, size] of sizes.entries()) await services.notes.append(`n${i % 3}`, `hit ${'é'.repeat(size)}`);
    const { items } = await readAll(client, 'hit', sizes.length);
    expect(items).toHaveLength(sizes.length);
    expect(items.map((item) => `${item.note}:${item.line}`)).toEqual(
      [...sizes.keys()].map((i) => `n${i % 3}:${Math.floor(i / 3) + 1}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
});

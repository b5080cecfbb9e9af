import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectInMemory, textOf } from '../helpers/client.js';
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

/** Splits a page into its JSON items and the cursor line, checking the JSON is valid. */
function readPage(text: string): { items: Match[]; nextCursor: string | undefined } {
  const cursorLine = /\nnextCursor: (\S+)$/.exec(text);
  const body = cursorLine ? text.slice(0, cursorLine.index) : text;
  const json = body.split('\n… [truncated')[0] ?? body;
  return { items: JSON.parse(json) as Match[], nextCursor: cursorLine?.[1] };
}

async function readAll(client: Client, query: string): Promise<{ items: Match[]; pages: number }> {
  const items: Match[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const result = await client.callTool({ name: 'search_notes', arguments: { query, ...(cursor && { cursor }) } });
    expect(result.isError).toBeFalsy();
    const page = readPage(textOf(result));
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
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

    const first = textOf(await client.callTool({ name: 'search_notes', arguments: { query: 'needle' } }));
    expect(first.length).toBeLessThanOrEqual(2000);
    expect(first).toContain('[truncated: showing');

    const { items } = await readAll(client, 'needle');
    expect(items.map((item) => item.line)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('finds lines appended while paging, without repeating any', async () => {
    const { services, client } = await setup();
    for (let i = 0; i < 60; i++) await services.notes.append('grow', `hit ${i}`);
    const first = readPage(textOf(await client.callTool({ name: 'search_notes', arguments: { query: 'hit' } })));
    await services.notes.append('grow', 'hit late');
    const second = readPage(
      textOf(await client.callTool({ name: 'search_notes', arguments: { query: 'hit', cursor: first.nextCursor } })),
    );
    expect([...first.items, ...second.items].map((item) => item.text)).toEqual([
      ...Array.from({ length: 60 }, (_, i) => `hit ${i}`),
      'hit late',
    ]);
  });

  it('rejects a tampered cursor or one from another query as a tool error', async () => {
    const { services, client } = await setup();
    for (let i = 0; i < 60; i++) await services.notes.append('n', `abc ${i}`);
    const { nextCursor } = readPage(textOf(await client.callTool({ name: 'search_notes', arguments: { query: 'abc' } })));

    const otherQuery = await client.callTool({ name: 'search_notes', arguments: { query: 'ab', cursor: nextCursor } });
    expect(otherQuery.isError).toBe(true);
    expect(textOf(otherQuery)).toContain('invalid cursor');

    const garbage = await client.callTool({ name: 'search_notes', arguments: { query: 'abc', cursor: 'not-a-cursor!' } });
    expect(garbage.isError).toBe(true);
  });

  it('says so when nothing matches', async () => {
    const { client } = await setup();
    expect(textOf(await client.callTool({ name: 'search_notes', arguments: { query: 'nothing' } }))).toBe(
      'No lines contain "nothing".',
    );
  });
});

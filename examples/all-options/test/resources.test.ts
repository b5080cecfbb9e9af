import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NOTE_BYTES } from '../src/notes/store.js';
import { NOTE_CUT_MARKER } from '../src/resources/notes.js';
import { tools } from '../src/tools/index.js';
import { useInMemoryServer } from './helpers/client.js';

const server = useInMemoryServer();

describe('resources', () => {
  it('serves each tool’s documentation at docs://tools/{name}, as markdown', async () => {
    for (const tool of tools) {
      const { contents } = await server.client.readResource({ uri: `docs://tools/${tool.name}` });
      expect(contents).toEqual([{ uri: `docs://tools/${tool.name}`, mimeType: 'text/markdown', text: tool.docs }]);
    }
  });

  it('lists docs and notes with semantic URIs and a mimeType on every resource', async () => {
    await server.services.notes.append('café menu', 'soup');
    const { resources } = await server.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toContain('docs://tools/append_note');
    expect(uris).toContain('notes://note/caf%C3%A9%20menu');
    expect(resources.filter((resource) => !resource.mimeType)).toEqual([]);
    expect(resources.find((resource) => resource.uri === 'docs://tools/append_note')?.mimeType).toBe('text/markdown');
  });

  it('caps a note’s text at MAX_RESULT_CHARS, as a tool result, saying how much was cut', async () => {
    const line = JSON.stringify({ text: 'a line of a long note', addedAt: '2026-01-01T00:00:00.000Z' });
    await writeFile(path.join(server.services.config.dataDir, 'notes', 'long.jsonl'), `${line}\n`.repeat(5_000));
    const { contents } = await server.client.readResource({ uri: 'notes://note/long' });
    const text = (contents[0] as { text: string }).text;
    expect(text.length).toBeLessThanOrEqual(server.services.config.maxResultChars);
    expect(text).toMatch(/^# long\n\n- a line of a long note\n/);
    expect(text).toMatch(/\[truncated: \d+ of \d+ characters omitted\. search_notes finds lines in the rest\]$/);
  });

  it('serves the start of a note file larger than MAX_NOTE_BYTES, marked as cut, without failing', async () => {
    const line = JSON.stringify({ text: 'x'.repeat(1_000), addedAt: '2026-01-01T00:00:00.000Z' });
    await writeFile(path.join(server.services.config.dataDir, 'notes', 'big.jsonl'), `${line}\n`.repeat((3 * MAX_NOTE_BYTES) / 1_000));
    const reads = await Promise.all(Array.from({ length: 5 }, () => server.client.readResource({ uri: 'notes://note/big' })));
    for (const { contents } of reads) {
      const text = (contents[0] as { text: string }).text;
      expect(text.length).toBeLessThanOrEqual(server.services.config.maxResultChars);
      expect(text.startsWith(`# big\n\n${NOTE_CUT_MARKER}\n\n- xxx`)).toBe(true);
    }
  });

  it('answers an unknown note with an error, not an empty document', async () => {
    await expect(server.client.readResource({ uri: 'notes://note/nope' })).rejects.toThrow();
  });
});

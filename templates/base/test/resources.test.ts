import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tools } from '../src/tools/index.js';
import { connectInMemory } from './helpers/client.js';
import { createTestServices, type TestServices } from './helpers/services.js';

let services: TestServices;
let client: Client;

beforeEach(async () => {
  services = await createTestServices();
  client = await connectInMemory(services);
});

afterEach(async () => {
  await client.close();
  await services.cleanup();
});

describe('resources', () => {
  it('serves each tool’s documentation at docs://tools/{name}, as markdown', async () => {
    for (const tool of tools) {
      const { contents } = await client.readResource({ uri: `docs://tools/${tool.name}` });
      expect(contents).toEqual([{ uri: `docs://tools/${tool.name}`, mimeType: 'text/markdown', text: tool.docs }]);
    }
  });

  it('lists docs and notes with semantic URIs and a mimeType on every resource', async () => {
    await services.notes.append('café menu', 'soup');
    const { resources } = await client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toContain('docs://tools/append_note');
    expect(uris).toContain('notes://note/caf%C3%A9%20menu');
    expect(resources.every((resource) => resource.mimeType === 'text/markdown')).toBe(true);
  });

  it('answers an unknown note with an error, not an empty document', async () => {
    await expect(client.readResource({ uri: 'notes://note/nope' })).rejects.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
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

  it('answers an unknown note with an error, not an empty document', async () => {
    await expect(server.client.readResource({ uri: 'notes://note/nope' })).rejects.toThrow();
  });
});

import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { buildUri, matchUri } from '../lib/uri.js';
import type { Note, NoteStore } from '../notes/store.js';

const MIME_TYPE = 'text/markdown';

/**
 * Each note as a resource with a URI made from its name, never an id, so the URI stays stable:
 * `notes://note/shopping%20list`.
 */
export function registerNoteResources(server: McpServer, notes: NoteStore): void {
  server.registerResource(
    'note',
    new ResourceTemplate('notes://note/{name}', {
      list: async () => ({
        resources: (await notes.list()).map((name) => ({ uri: buildUri('notes', 'note', name), name, mimeType: MIME_TYPE })),
      }),
    }),
    { title: 'Note', description: 'A note written with append_note', mimeType: MIME_TYPE },
    async (uri) => {
      const [name] = matchUri(uri.href, 'notes', 'note') ?? [];
      const note = name === undefined ? undefined : await notes.get(name);
      if (!note) throw new Error(`no note at ${uri.href}`);
      return { contents: [{ uri: uri.href, mimeType: MIME_TYPE, text: renderNote(note) }] };
    },
  );
}

export function renderNote(note: Note): string {
  return [`# ${note.name}`, '', ...note.entries.map((entry) => `- ${entry.text}`), ''].join('\n');
}

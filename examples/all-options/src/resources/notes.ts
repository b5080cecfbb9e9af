import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { capText } from '../lib/results.js';
import { buildUri, matchUri } from '../lib/uri.js';
import { MAX_NOTE_BYTES, type Note, type NoteStore } from '../notes/store.js';

const MIME_TYPE = 'text/markdown';

/**
 * Each note as a resource with a URI made from its name, never an id, so the URI stays stable:
 * `notes://note/shopping%20list`. Its text is capped at `maxChars` (MAX_RESULT_CHARS), as a tool
 * result is, so reading one never floods the model's context.
 */
export function registerNoteResources(server: McpServer, notes: NoteStore, maxChars: number): void {
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
      return { contents: [{ uri: uri.href, mimeType: MIME_TYPE, text: renderNote(note, maxChars) }] };
    },
  );
}

/** Said at the top of a note whose file was larger than MAX_NOTE_BYTES, so only its start was read. */
export const NOTE_CUT_MARKER = `… [note cut: its file is larger than ${MAX_NOTE_BYTES / 1024 / 1024} MiB; only the lines within that are shown]`;

/** The note as markdown, at most `maxChars` long (the end cut off with a notice saying how much). */
export function renderNote(note: Note, maxChars: number): string {
  // The marker goes first, so capping the text cannot cut it off.
  const lines = [`# ${note.name}`, '', ...(note.truncated ? [NOTE_CUT_MARKER, ''] : []), ...note.entries.map((entry) => `- ${entry.text}`), ''];
  return capText(lines.join('\n'), maxChars, 'search_notes finds lines in the rest').text;
}

import * as z from 'zod';
import { buildUri } from '../lib/uri.js';
import { MAX_NOTE_BYTES, NoteStoreFullError, NoteTooLargeError } from '../notes/store.js';
import { noteName } from './note-name.js';
import { dataResult, defineTool, ToolError } from './tool.js';

export const appendNote = defineTool({
  name: 'append_note',
  toolset: 'notes',
  title: 'Append to a note',
  description: 'Append a line of text to a named note.',
  inputSchema: z.object({
    note: noteName,
    text: z.string().min(1).max(2_000).describe('Line to append'),
  }),
  outputSchema: z.object({ uri: z.string(), line: z.number() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  // With OAuth (OAUTH_ISSUER), only tokens granted this scope see and call the tool.
  scopes: ['notes:write'],
  docs: `# append_note

Appends one line to a note, creating the note if it does not exist yet.

- \`note\`: 1-64 characters: letters, digits, spaces, \`.\`, \`_\` and \`-\`; it must not start with a dot.
- \`text\`: 1-2,000 characters.

A note holds at most ${MAX_NOTE_BYTES / 1024 / 1024} MiB: a line that would take it past that is refused
with an error, and the note is left as it was; start another note.

Returns \`{ uri, line }\`: the note's resource URI (\`notes://note/{name}\`) and the number of the
line just added. Read the
whole note through that resource. Concurrent appends to the same note are applied one after
another, so none is lost; appends to different notes run in parallel.`,
  async run({ note, text }, { services, signal }) {
    const saved = await services.notes.append(note, text, signal).catch((error: unknown) => {
      // The model can tell the user; it is not a bug in the server.
      throw error instanceof NoteStoreFullError || error instanceof NoteTooLargeError ? new ToolError(error.message) : error;
    });
    return dataResult({ uri: buildUri('notes', 'note', note), line: saved.entries.length });
  },
});

import * as z from 'zod';
import { buildUri } from '../lib/uri.js';
import { NOTE_NAME } from '../notes/store.js';
import { defineTool, textResult } from './tool.js';

export const appendNote = defineTool({
  name: 'append_note',
  title: 'Append to a note',
  description: 'Append a line of text to a named note.',
  inputSchema: z.object({
    note: z.string().regex(NOTE_NAME, { error: 'use 1-64 letters, digits, spaces, ".", "_" or "-"' }).describe('Note name'),
    text: z.string().min(1).max(2_000).describe('Line to append'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  // With OAuth (OAUTH_ISSUER), only tokens granted this scope see and call the tool.
  scopes: ['notes:write'],
  docs: `# append_note

Appends one line to a note, creating the note if it does not exist yet.

- \`note\`: 1-64 characters: letters, digits, spaces, \`.\`, \`_\` and \`-\`; it must not start with a dot.
- \`text\`: 1-2,000 characters.

Returns the note's resource URI (\`notes://note/{name}\`) and its new number of lines. Read the
whole note through that resource. Concurrent appends to the same note are applied one after
another, so none is lost; appends to different notes run in parallel.`,
  async run({ note, text }, { services, signal }) {
    const saved = await services.notes.append(note, text, signal);
    return textResult(`Appended line ${saved.entries.length} to ${buildUri('notes', 'note', note)}`);
  },
});

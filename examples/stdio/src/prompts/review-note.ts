import type { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { buildUri } from '../lib/uri.js';
import type { NoteStore } from '../notes/store.js';
import { renderNote } from '../resources/notes.js';
import { noteName } from '../tools/note-name.js';

// Built once at module load: the registration below runs for every HTTP request (one server
// instance each), and building a zod schema costs more than registering it.
const args = z.object({ note: noteName });

/** A prompt: a ready-made request a user can pick in their client, with the note attached as a resource (capped at `maxChars`, as the resource is). */
export function registerReviewNotePrompt(server: McpServer, notes: NoteStore, maxChars: number): void {
  server.registerPrompt(
    'review_note',
    {
      title: 'Review a note',
      description: 'Summarise a note and suggest what to do next',
      argsSchema: args,
    },
    async ({ note }) => {
      const found = await notes.get(note);
      const uri = buildUri('notes', 'note', note);
      return {
        messages: [
          {
            role: 'user',
            content: {
              type: 'resource',
              resource: { uri, mimeType: 'text/markdown', text: found ? renderNote(found, maxChars) : `# ${note}\n\n(empty)\n` },
            },
          },
          {
            role: 'user',
            content: { type: 'text', text: `Summarise the note above in three bullet points, then suggest the next step.` },
          },
        ],
      };
    },
  );
}

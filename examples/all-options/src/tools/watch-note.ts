import * as z from 'zod';
import { noteName } from './note-name.js';
import { dataResult, defineTool } from './tool.js';

export const watchNote = defineTool({
  name: 'watch_note',
  toolset: 'notes',
  title: 'Wait for a new line in a note',
  description: 'Wait up to N seconds for a line to be appended.',
  inputSchema: z.object({
    note: noteName,
    seconds: z.number().int().min(1).max(60).default(10).describe('How long to wait'),
  }),
  outputSchema: z.object({ note: z.string(), entry: z.object({ text: z.string(), addedAt: z.string() }).nullable() }),
  annotations: { readOnlyHint: true },
  docs: `# watch_note

Waits until someone appends a line to \`note\` (with append_note, from any client), and returns
that line as \`{ note, entry: { text, addedAt } }\`; after \`seconds\` (1-60, default 10) without one,
\`entry\` is \`null\`. The note need not exist yet.

A long-running call: cancelling it (or disconnecting) stops the wait at once, and a server that
is shutting down lets it finish first (up to SHUTDOWN_TIMEOUT_MS).`,
  async run({ note, seconds }, { services, signal }) {
    const entry = await services.notes.nextEntry(note, seconds * 1_000, signal);
    return dataResult({ note, entry: entry ? { text: entry.text, addedAt: entry.addedAt } : null });
  },
});

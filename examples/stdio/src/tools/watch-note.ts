import * as z from 'zod';
import { NOTE_NAME } from '../notes/store.js';
import { defineTool, textResult } from './tool.js';

export const watchNote = defineTool({
  name: 'watch_note',
  title: 'Wait for a new line in a note',
  description: 'Wait up to N seconds for a line to be appended.',
  inputSchema: z.object({
    note: z.string().regex(NOTE_NAME, { error: 'use 1-64 letters, digits, spaces, ".", "_" or "-"' }).describe('Note name'),
    seconds: z.number().int().min(1).max(60).default(10).describe('How long to wait'),
  }),
  annotations: { readOnlyHint: true },
  docs: `# watch_note

Waits until someone appends a line to \`note\` (with append_note, from any client), and returns
that line; after \`seconds\` (1-60, default 10) without one it says so. The note need not exist yet.

A long-running call: cancelling it (or disconnecting) stops the wait at once, and a server that
is shutting down lets it finish first (up to SHUTDOWN_TIMEOUT_MS).`,
  async run({ note, seconds }, { services, signal }) {
    const entry = await services.notes.nextEntry(note, seconds * 1_000, signal);
    return textResult(entry ? `New line in ${note}: ${entry.text}` : `No new line in ${note} within ${seconds} s.`);
  },
});

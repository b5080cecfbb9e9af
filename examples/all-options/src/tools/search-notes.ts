import * as z from 'zod';
import { capJsonItems, CursorError, decodeCursor, encodeCursor } from '../lib/results.js';
import { buildUri } from '../lib/uri.js';
import { defineTool, textResult, ToolError } from './tool.js';

const PAGE_SIZE = 50;

interface Match {
  note: string;
  uri: string;
  line: number;
  text: string;
  addedAt: string;
}

/** Where the previous page stopped: (note, line) is stable because lines are only ever appended. */
interface SearchCursor extends Record<string, unknown> {
  query: string;
  note: string;
  line: number;
}

export const searchNotes = defineTool({
  name: 'search_notes',
  title: 'Search notes',
  description: 'Find note lines containing some text. Paginated.',
  inputSchema: z.object({
    query: z.string().min(1).max(200).describe('Text to find'),
    cursor: z.string().optional().describe('nextCursor from the previous page'),
  }),
  annotations: { readOnlyHint: true },
  docs: `# search_notes

Finds lines containing \`query\` (case-insensitive) across all notes, in note-name order.

Results come ${PAGE_SIZE} to a page as a JSON array of \`{ note, uri, line, text, addedAt }\`. When
there are more, the result ends with \`nextCursor\`: pass it back as \`cursor\` with the same
query to read the next page. Cursors are opaque; lines appended while you page are still found
(in their note's order) and nothing is returned twice. A page is also cut short when its text
would pass the server's result cap (\`MAX_RESULT_CHARS\`); the cursor then resumes right after
the last line shown.`,
  async run({ query, cursor }, { services, signal }) {
    const after = cursor === undefined ? undefined : readCursor(cursor, query);
    const needle = query.toLocaleLowerCase();
    const page: Match[] = [];
    let more = false;

    for (const name of await services.notes.list()) {
      if (after && name < after.note) continue;
      signal.throwIfAborted();
      const note = await services.notes.get(name);
      for (const [index, entry] of (note?.entries ?? []).entries()) {
        const line = index + 1;
        if (after && name === after.note && line <= after.line) continue;
        if (!entry.text.toLocaleLowerCase().includes(needle)) continue;
        if (page.length === PAGE_SIZE) {
          more = true;
          break;
        }
        page.push({ note: name, uri: buildUri('notes', 'note', name), line, text: entry.text, addedAt: entry.addedAt });
      }
      if (more) break;
    }

    if (page.length === 0) return textResult(after ? 'No more matches.' : `No lines contain ${JSON.stringify(query)}.`);

    // Leave room for the cursor line; the cap then keeps whole items only, so the JSON stays valid.
    const capped = capJsonItems(page, services.config.maxResultChars - 200);
    const last = page[capped.shown - 1];
    const hasNext = (more || capped.shown < page.length) && last !== undefined;
    const nextCursor = hasNext ? encodeCursor({ query, note: last.note, line: last.line }) : undefined;
    return textResult(nextCursor ? `${capped.text}\nnextCursor: ${nextCursor}` : capped.text);
  },
});

function readCursor(cursor: string, query: string): SearchCursor {
  try {
    const state = decodeCursor<SearchCursor>(cursor);
    if (state.query !== query || typeof state.note !== 'string' || !Number.isInteger(state.line)) {
      throw new CursorError('cursor belongs to a different query');
    }
    return state;
  } catch (error) {
    if (error instanceof CursorError) throw new ToolError(`invalid cursor: ${error.message}; start again without one`);
    throw error;
  }
}

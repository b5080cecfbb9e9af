import * as z from 'zod';
import { CursorError, decodeCursor, encodeCursor, fingerprint, pagedResult } from '../lib/results.js';
import { buildUri } from '../lib/uri.js';
import { dataResult, defineTool, ToolError } from './tool.js';

const PAGE_SIZE = 50;

interface Match {
  note: string;
  uri: string;
  line: number;
  text: string;
  addedAt: string;
}

/**
 * Where the previous page stopped: (note, line) is stable because lines are only ever appended.
 * The query is kept as a short hash, so a cursor stays small whatever the query.
 */
interface SearchCursor extends Record<string, unknown> {
  query: string;
  note: string;
  line: number;
}

export const searchNotes = defineTool({
  name: 'search_notes',
  toolset: 'notes',
  title: 'Search notes',
  description: 'Find note lines containing some text. Paginated.',
  inputSchema: z.object({
    query: z.string().min(1).max(200).describe('Text to find'),
    cursor: z.string().optional().describe('nextCursor from the previous page'),
  }),
  outputSchema: z.object({
    matches: z.array(z.object({ note: z.string(), uri: z.string(), line: z.number(), text: z.string(), addedAt: z.string() })),
    nextCursor: z.string().optional(),
    notice: z.string().optional(),
  }),
  annotations: { readOnlyHint: true },
  docs: `# search_notes

Finds lines containing \`query\` (case-insensitive) across all notes, in note-name order.

Results come ${PAGE_SIZE} to a page as \`{ matches: [{ note, uri, line, text, addedAt }], nextCursor }\`.
When there are more, \`nextCursor\` is set: pass it back as \`cursor\` with the same query to read
the next page. Cursors are opaque; lines appended while you page are still found (in their
note's order) and nothing is returned twice. A page is also cut short when its text would pass
the server's result cap (\`MAX_RESULT_CHARS\`), and \`notice\` says so; the cursor then resumes
right after the last line shown. A single line longer than the cap is shown shortened, ending with
\`… [N more characters cut]\`: read the whole note through its \`uri\`.`,
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

    const shaped = pagedResult({
      key: 'matches',
      items: page,
      more,
      maxChars: services.config.maxResultChars,
      cursorAfter: (shown) => {
        const last = page[shown - 1]!;
        return encodeCursor({ query: fingerprint(query), note: last.note, line: last.line });
      },
      shrunkHint: 'Read the whole note through its uri.',
    });
    return dataResult(shaped.structured);
  },
});

function readCursor(cursor: string, query: string): SearchCursor {
  try {
    const state = decodeCursor<SearchCursor>(cursor);
    if (state.query !== fingerprint(query) || typeof state.note !== 'string' || !Number.isInteger(state.line)) {
      throw new CursorError('cursor belongs to a different query');
    }
    return state;
  } catch (error) {
    if (error instanceof CursorError) throw new ToolError(`invalid cursor: ${error.message}; start again without one`);
    throw error;
  }
}

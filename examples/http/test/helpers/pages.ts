/** A page of a paged tool result: its items under a field of its own, and `nextCursor` while more remain. */
export interface Page {
  nextCursor?: string;
}

/**
 * Every page, first to last: `readPage` is called without a cursor, then with each page's
 * `nextCursor` until a page has none. More than `maxPages` pages fails, so a cursor that stops
 * moving ends the test with a clear error instead of looping.
 */
export async function readAllPages<P extends Page>(readPage: (cursor?: string) => Promise<P>, maxPages = 1_000): Promise<P[]> {
  const pages: P[] = [];
  let cursor: string | undefined;
  do {
    if (pages.length === maxPages) throw new Error(`still a nextCursor after ${maxPages} pages`);
    const page = await readPage(cursor);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

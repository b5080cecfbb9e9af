import { describe, it, expect } from 'vitest';
import { capText, cutMarker, decodeCursor, encodeCursor, fitPage, pagedResult, shortenString, shrinkToFit, CursorError } from '../../src/lib/results.js';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NOTICE_MARKER = '\n… [truncated:';

function splitNotice(text: string): { body: string; notice: string } {
  const at = text.lastIndexOf(NOTICE_MARKER);
  expect(at).toBeGreaterThanOrEqual(0);
  return { body: text.slice(0, at), notice: text.slice(at) };
}

function toBase64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

describe('capText', () => {
  it('returns text under the cap unchanged', () => {
    expect(capText('hello', 100)).toEqual({ text: 'hello', truncated: false, omittedChars: 0 });
  });

  it('returns text exactly at the cap unchanged', () => {
    const text = 'x'.repeat(100);
    expect(capText(text, 100)).toEqual({ text, truncated: false, omittedChars: 0 });
  });

  it('truncates text over the cap, including the notice in the limit', () => {
    const text = 'x'.repeat(20_000);
    const result = capText(text, 1_000);
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(1_000);
    const { body, notice } = splitNotice(result.text);
    expect(text.startsWith(body)).toBe(true);
    expect(result.omittedChars).toBe(20_000 - body.length);
    expect(notice).toBe(`\n… [truncated: ${result.omittedChars} of 20000 characters omitted]`);
  });

  it('appends the hint to the notice', () => {
    const hint = 'Narrow the query or pass cursor to read more.';
    const result = capText('y'.repeat(5_000), 500, hint);
    expect(result.text.length).toBeLessThanOrEqual(500);
    expect(result.text.endsWith(`characters omitted. ${hint}]`)).toBe(true);
    expect(result.text).toContain(`${result.omittedChars} of 5000`);
  });

  it('never splits a surrogate pair at the cut, whatever the boundary', () => {
    const text = '😀'.repeat(500); // every code point is two UTF-16 units
    const parities = new Set<number>();
    for (let maxChars = 60; maxChars <= 80; maxChars++) {
      const result = capText(text, maxChars);
      expect(result.text.length).toBeLessThanOrEqual(maxChars);
      expect(result.text).not.toMatch(UNPAIRED_SURROGATE);
      const { body } = splitNotice(result.text);
      expect(text.startsWith(body)).toBe(true);
      expect(body.length % 2).toBe(0);
      parities.add(maxChars % 2);
    }
    expect(parities.size).toBe(2); // both an odd and an even budget were exercised
  });

  it('keeps an emoji that ends exactly at the boundary', () => {
    // Plain ASCII is cut exactly at the budget; the texts below have the same width of length digits.
    const budget = splitNotice(capText('a'.repeat(1_000), 100).text).body.length;
    const text = 'a'.repeat(budget - 2) + '🎉' + 'a'.repeat(1_000);
    const { body } = splitNotice(capText(text, 100).text);
    expect(body.endsWith('🎉')).toBe(true);
    const shifted = 'a' + text; // now the pair straddles the boundary and must be dropped
    const { body: shiftedBody } = splitNotice(capText(shifted, 100).text);
    expect(shiftedBody.endsWith('a')).toBe(true);
    expect(shiftedBody).not.toMatch(UNPAIRED_SURROGATE);
  });

  it('handles CJK text', () => {
    const text = '日本語のテキスト'.repeat(1_000);
    const result = capText(text, 300);
    expect(result.text.length).toBeLessThanOrEqual(300);
    const { body } = splitNotice(result.text);
    expect(body.length).toBeGreaterThan(200);
    expect(text.startsWith(body)).toBe(true);
    expect(result.omittedChars).toBe(text.length - body.length);
  });

  it('prefers to cut at a newline in the final 20% of the allowed span', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${String(i).padStart(4, '0')}`).join('\n');
    const result = capText(text, 1_000);
    const { body } = splitNotice(result.text);
    expect(body.length).toBeGreaterThan(800);
    expect(text[body.length]).toBe('\n');
    expect(body.endsWith('\n')).toBe(false);
    expect(body).toMatch(/line \d{4}$/);
  });

  it('does not drop a \\r of a CRLF line ending into the kept text', () => {
    const text = Array.from({ length: 500 }, (_, i) => `row ${i}`).join('\r\n');
    const { body } = splitNotice(capText(text, 1_000).text);
    expect(body.endsWith('\r')).toBe(false);
    expect(text.slice(body.length, body.length + 2)).toBe('\r\n');
  });

  it('ignores a newline that would throw away more than 20% of the span', () => {
    const text = `header\n${'x'.repeat(5_000)}`;
    const { body } = splitNotice(capText(text, 1_000).text);
    expect(body.length).toBeGreaterThan(900);
  });

  it('throws RangeError when maxChars cannot hold the notice', () => {
    expect(() => capText('x'.repeat(1_000), 10)).toThrow(RangeError);
    expect(() => capText('x', -1)).toThrow(RangeError);
    expect(() => capText('x', 1.5)).toThrow(RangeError);
  });
});

/** A small seeded generator (mulberry32), so every run tries the same "random" cases. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const CUT_MARKER = /… \[(\d+) more characters cut\]$/;

describe('shortenString', () => {
  it('keeps the start, says how much was cut, and never splits a surrogate pair', () => {
    expect(shortenString('abcdef', 10)).toBe('abcdef');
    expect(shortenString('x'.repeat(1_000), 10)).toBe(`${'x'.repeat(10)}${cutMarker(990)}`);
    const emoji = '😀'.repeat(100);
    for (const keep of [9, 10, 11]) {
      const shortened = shortenString(emoji, keep);
      expect(shortened).not.toMatch(UNPAIRED_SURROGATE);
      const kept = shortened.replace(CUT_MARKER, '');
      expect(emoji.startsWith(kept)).toBe(true);
      expect(Number(CUT_MARKER.exec(shortened)?.[1])).toBe(emoji.length - kept.length);
    }
  });

  it('leaves a string alone when the marker would make it longer', () => {
    expect(shortenString('x'.repeat(30), 20)).toBe('x'.repeat(30));
  });
});

describe('shrinkToFit', () => {
  it('returns a value that fits unchanged', () => {
    const value = { id: 1, body: 'short' };
    expect(shrinkToFit(value, 100)).toEqual({ value, shrunk: false });
  });

  it('shortens a 1 MB string in place: valid JSON, same shape, the start of the value kept', () => {
    const value = { id: 1, body: 'abcdefghij'.repeat(100_000), tags: ['a', 'b'] };
    const result = shrinkToFit(value, 2_000);
    expect(result?.shrunk).toBe(true);
    const text = JSON.stringify(result?.value);
    expect(text.length).toBeLessThanOrEqual(2_000);
    const shrunk = JSON.parse(text) as typeof value;
    expect(shrunk.id).toBe(1);
    expect(shrunk.tags).toEqual(['a', 'b']);
    expect(shrunk.body).toMatch(/^abcdefghijabcdefghij/);
    expect(shrunk.body.length).toBeGreaterThan(1_500);
    const kept = shrunk.body.replace(CUT_MARKER, '');
    expect(Number(CUT_MARKER.exec(shrunk.body)?.[1])).toBe(1_000_000 - kept.length);
  });

  it('serialises dates as JSON would before shrinking', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const result = shrinkToFit({ at, body: 'x'.repeat(5_000) }, 500);
    expect((result?.value as unknown as { at: string }).at).toBe('2026-01-02T03:04:05.000Z');
  });

  it('cuts arrays and objects only when shortening strings is not enough, and says how many', () => {
    const numbers = { values: Array.from({ length: 10_000 }, (_, i) => i) };
    const result = shrinkToFit(numbers, 1_000);
    const text = JSON.stringify(result?.value);
    expect(text.length).toBeLessThanOrEqual(1_000);
    const values = (JSON.parse(text) as { values: unknown[] }).values;
    expect(values.at(-1)).toMatch(/^… \[\d+ more items cut\]$/);
    expect(values.slice(0, -1)).toEqual(numbers.values.slice(0, values.length - 1));
  });
});

describe('fitPage and pagedResult', () => {
  const items = Array.from({ length: 2_000 }, (_, i) => ({ id: i, title: `Title ${i} — ünïcødé 🎉`, body: 'lorem ipsum '.repeat(15) }));
  const render = (page: readonly unknown[]) => JSON.stringify(page);

  it('keeps whole items while they fit, the longest prefix', () => {
    const page = fitPage(items, 10_000, render);
    expect(page.shrunk).toBe(false);
    expect(page.items).toEqual(items.slice(0, page.shown));
    expect(render(page.items).length).toBeLessThanOrEqual(10_000);
    expect(render(items.slice(0, page.shown + 1)).length).toBeGreaterThan(10_000);
  });

  it('shows a first item bigger than the whole cap, shrunk, so the page is never empty', () => {
    const page = fitPage([{ id: 1, body: 'x'.repeat(1_000_000) }, { id: 2, body: 'small' }], 1_000, render);
    expect(page).toMatchObject({ shown: 1, shrunk: true });
    expect(render(page.items).length).toBeLessThanOrEqual(1_000);
    expect(page.items[0]?.body).toMatch(CUT_MARKER);
  });

  it('puts the cursor and a notice in the structured result, and the same JSON in the text', () => {
    const result = pagedResult({ key: 'rows', items, more: false, maxChars: 5_000, cursorAfter: (shown) => `after-${shown}` });
    expect(result.text.length).toBeLessThanOrEqual(5_000);
    expect(JSON.parse(result.text)).toEqual(result.structured);
    expect(result.structured.nextCursor).toBe(`after-${result.shown}`);
    expect(result.structured.notice).toContain(`Page cut to ${result.shown} of 2000 items`);
    expect(result.structured.rows).toEqual(items.slice(0, result.shown));
  });

  it('leaves out nextCursor and notice on a last page that fits', () => {
    const result = pagedResult({ key: 'rows', items: items.slice(0, 2), more: false, maxChars: 5_000, cursorAfter: () => 'x' });
    expect(result.structured).toEqual({ rows: items.slice(0, 2) });
  });

  it('reaches the end for any mix of item sizes: following nextCursor shows every item once, in order, each page within the cap', () => {
    const random = seeded(20_260_728);
    const alphabet = ['a', 'é', '日', '😀', '\n', '"', '\\'];
    for (let trial = 0; trial < 30; trial++) {
      const maxChars = 1_000 + Math.floor(random() * 9_000);
      const pageSize = 1 + Math.floor(random() * 60);
      const all = Array.from({ length: 1 + Math.floor(random() * 150) }, (_, id) => {
        // Mostly small items, some near the cap, a few far over it.
        const roll = random();
        const length = roll < 0.8 ? Math.floor(random() * 200) : roll < 0.95 ? Math.floor(random() * maxChars) : maxChars * (1 + Math.floor(random() * 8));
        const char = alphabet[Math.floor(random() * alphabet.length)] ?? 'a';
        return { id, text: char.repeat(Math.ceil(length / char.length)) };
      });

      const seen: number[] = [];
      let offset = 0;
      let pages = 0;
      for (;;) {
        const pageItems = all.slice(offset, offset + pageSize);
        const result = pagedResult({
          key: 'items',
          items: pageItems,
          more: offset + pageSize < all.length,
          maxChars,
          cursorAfter: (shown) => String(offset + shown),
          fields: { firstItem: offset + 1 },
        });
        pages++;
        expect(result.text.length).toBeLessThanOrEqual(maxChars);
        expect(result.text).not.toMatch(UNPAIRED_SURROGATE);
        const parsed = JSON.parse(result.text) as { items: { id: number; text: string }[]; nextCursor?: string };
        expect(parsed).toEqual(result.structured);
        expect(parsed.items.length).toBeGreaterThan(0);
        for (const item of parsed.items) {
          const original = all[item.id]!;
          if (item.text !== original.text) expect(original.text.startsWith(item.text.replace(CUT_MARKER, ''))).toBe(true);
          seen.push(item.id);
        }
        if (parsed.nextCursor === undefined) break;
        const next = Number(parsed.nextCursor);
        expect(next).toBeGreaterThan(offset);
        offset = next;
        expect(pages).toBeLessThanOrEqual(all.length);
      }
      expect(seen).toEqual(all.map((item) => item.id));
    }
  });
});

describe('cursors', () => {
  it('round-trips state', () => {
    const cursor = encodeCursor({ offset: 42, query: 'café 🎉' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ offset: 42, query: 'café 🎉' });
  });

  it('embeds a format version', () => {
    const json = Buffer.from(encodeCursor({ offset: 1 }), 'base64url').toString('utf8');
    expect(JSON.parse(json)).toEqual({ v: 1, offset: 1 });
  });

  it('refuses state that uses the reserved version key', () => {
    expect(() => encodeCursor({ v: 2 })).toThrow(TypeError);
  });

  it.each([
    ['empty string', ''],
    ['non-base64url characters', 'not a cursor!'],
    ['standard base64 padding', `${toBase64url('{"v":1}')}==`],
    ['not JSON', toBase64url('hello')],
    ['a JSON array', toBase64url('[1,2]')],
    ['a JSON string', toBase64url('"offset"')],
    ['JSON null', toBase64url('null')],
    ['a missing version', toBase64url('{"offset":0}')],
    ['a wrong version', toBase64url('{"v":2,"offset":0}')],
    ['a truncated cursor', encodeCursor({ offset: 100 }).slice(0, -3)],
  ])('rejects %s', (_label, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(CursorError);
    expect(() => decodeCursor(cursor)).toThrow(/^invalid cursor/);
  });
});

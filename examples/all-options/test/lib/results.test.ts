import { describe, it, expect } from 'vitest';
import { capText, capJsonItems, encodeCursor, decodeCursor, paginate, CursorError } from '../../src/lib/results.js';

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

describe('capJsonItems', () => {
  const items = Array.from({ length: 20_000 }, (_, i) => ({
    id: `item-${i}`,
    title: `Title ${i} — ünïcødé 🎉`,
    body: 'lorem ipsum '.repeat(15),
  }));

  it('returns the full rendering when it fits', () => {
    const small = items.slice(0, 3);
    const result = capJsonItems(small, 1_000_000);
    expect(result).toEqual({ text: JSON.stringify(small, null, 2), shown: 3, total: 3, truncated: false });
  });

  it('keeps a multi-megabyte array within maxChars as valid JSON plus a notice', () => {
    expect(JSON.stringify(items, null, 2).length).toBeGreaterThan(4_000_000);
    const maxChars = 100_000;
    const result = capJsonItems(items, maxChars);

    expect(result.truncated).toBe(true);
    expect(result.total).toBe(20_000);
    expect(result.text.length).toBeLessThanOrEqual(maxChars);
    const { body, notice } = splitNotice(result.text);
    const parsed: unknown = JSON.parse(body);
    expect(parsed).toEqual(items.slice(0, result.shown));
    expect(result.shown).toBeGreaterThan(100);
    expect(notice).toBe(`\n… [truncated: showing ${result.shown} of 20000 items]`);

    // The prefix is the longest that fits: one more item would overflow.
    const next = JSON.stringify(items.slice(0, result.shown + 1), null, 2);
    expect(next.length + `\n… [truncated: showing ${result.shown + 1} of 20000 items]`.length).toBeGreaterThan(maxChars);
  });

  it('returns [] and says so when a single item exceeds the limit', () => {
    const huge = [{ blob: 'x'.repeat(1_000_000) }, { blob: 'small' }];
    const result = capJsonItems(huge, 1_000);
    expect(result).toMatchObject({ shown: 0, total: 2, truncated: true });
    expect(result.text.length).toBeLessThanOrEqual(1_000);
    const { body, notice } = splitNotice(result.text);
    expect(JSON.parse(body)).toEqual([]);
    expect(notice).toMatch(/showing 0 of 2 items; a single item exceeds the limit/);
  });

  it('uses a custom renderer', () => {
    const numbers = Array.from({ length: 1_000 }, (_, i) => i);
    const result = capJsonItems(numbers, 200, (xs) => JSON.stringify(xs));
    const { body } = splitNotice(result.text);
    expect(body).toBe(JSON.stringify(numbers.slice(0, result.shown)));
    expect(result.text.length).toBeLessThanOrEqual(200);
  });

  it('throws RangeError when not even an empty result fits', () => {
    expect(() => capJsonItems([1, 2, 3], 5)).toThrow(RangeError);
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

describe('paginate', () => {
  const all = Array.from({ length: 5_000 }, (_, i) => i);

  it('visits every item exactly once, in order', () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = paginate(all, cursor, 100);
      expect(page.items.length).toBeLessThanOrEqual(100);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(50);
    expect(seen).toEqual(all);
  });

  it('omits nextCursor on the last page', () => {
    const page = paginate([1, 2, 3], undefined, 3);
    expect(page).toEqual({ items: [1, 2, 3] });
    expect('nextCursor' in page).toBe(false);
    expect(paginate([], undefined, 10)).toEqual({ items: [] });
  });

  it('returns an empty last page for an offset at the end (e.g. the list shrank)', () => {
    const cursor = paginate(all, undefined, 100).nextCursor;
    expect(cursor).toBeDefined();
    expect(paginate(all.slice(0, 100), cursor, 100)).toEqual({ items: [] });
  });

  it('returns a short last page', () => {
    const first = paginate([1, 2, 3, 4, 5], undefined, 3);
    expect(first.items).toEqual([1, 2, 3]);
    expect(paginate([1, 2, 3, 4, 5], first.nextCursor, 3)).toEqual({ items: [4, 5] });
  });

  it.each([
    ['negative', -1],
    ['non-integer', 1.5],
    ['beyond the end', 5_001],
    ['a string', '100'],
    ['missing', undefined],
  ])('rejects an offset that is %s', (_label, offset) => {
    const cursor = toBase64url(JSON.stringify({ v: 1, offset }));
    expect(() => paginate(all, cursor, 100)).toThrow(CursorError);
  });

  it('rejects garbage cursors', () => {
    expect(() => paginate(all, 'garbage!', 100)).toThrow(CursorError);
    expect(() => paginate(all, toBase64url('{"v":1,"offset":'), 100)).toThrow(CursorError);
  });

  it('requires a positive integer page size', () => {
    for (const pageSize of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => paginate(all, undefined, pageSize)).toThrow(RangeError);
    }
  });
});

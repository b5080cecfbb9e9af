/**
 * Result shaping for tool output: a hard cap on text size and cursor pagination,
 * so a single tool call can never flood the model's context.
 */

export interface CapResult {
  text: string;
  truncated: boolean;
  /** Characters of the original text that were dropped (the notice is not counted). */
  omittedChars: number;
}

export interface CapJsonResult {
  text: string;
  shown: number;
  total: number;
  truncated: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export class CursorError extends Error {
  override name = 'CursorError';
}

function assertMaxChars(maxChars: number): void {
  if (!Number.isSafeInteger(maxChars) || maxChars < 0) {
    throw new RangeError(`maxChars must be a non-negative integer, got ${maxChars}`);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function textNotice(omitted: number, total: number, hint: string | undefined): string {
  const suffix = hint ? `. ${hint}` : '';
  return `\n… [truncated: ${omitted} of ${total} characters omitted${suffix}]`;
}

/**
 * Returns `text` unchanged if it fits, otherwise a prefix plus a notice line,
 * with the whole result at most `maxChars` long. Throws RangeError if
 * `maxChars` cannot hold even the notice.
 */
export function capText(text: string, maxChars: number, hint?: string): CapResult {
  assertMaxChars(maxChars);
  if (text.length <= maxChars) return { text, truncated: false, omittedChars: 0 };

  // Size the budget for the widest possible count; the real notice is never longer.
  const budget = maxChars - textNotice(text.length, text.length, hint).length;
  if (budget < 0) {
    throw new RangeError(`maxChars (${maxChars}) is too small to hold the truncation notice`);
  }

  let cut = budget;
  // A newline at index `cut` is fine too: the kept text would end just before it.
  const newlineAt = text.lastIndexOf('\n', cut);
  if (cut > 0 && newlineAt >= Math.ceil(cut * 0.8)) {
    cut = text[newlineAt - 1] === '\r' ? newlineAt - 1 : newlineAt;
  } else if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) {
    // Never split a surrogate pair (emoji and other astral characters).
    cut -= 1;
  }

  const kept = text.slice(0, cut);
  const omittedChars = text.length - kept.length;
  return { text: kept + textNotice(omittedChars, text.length, hint), truncated: true, omittedChars };
}

function itemsNotice(shown: number, total: number): string {
  const reason = shown === 0 ? '; a single item exceeds the limit' : '';
  return `\n… [truncated: showing ${shown} of ${total} items${reason}]`;
}

const renderJson = (items: readonly unknown[]): string => JSON.stringify(items, null, 2);

/**
 * Renders `items` (as pretty JSON by default) and, if that exceeds `maxChars`,
 * keeps the longest prefix of whole items that fits together with a notice line.
 * Only whole items are dropped, so the part before the notice is always complete
 * output of `render` (valid JSON with the default renderer).
 *
 * `render` must grow monotonically with the number of items; the default does.
 */
export function capJsonItems<T>(
  items: readonly T[],
  maxChars: number,
  render: (items: readonly T[]) => string = renderJson,
): CapJsonResult {
  assertMaxChars(maxChars);
  const total = items.length;
  const full = render(items);
  if (full.length <= maxChars) return { text: full, shown: total, total, truncated: false };

  const renderPrefix = (count: number): string => render(items.slice(0, count)) + itemsNotice(count, total);

  let best = renderPrefix(0);
  if (best.length > maxChars) {
    throw new RangeError(`maxChars (${maxChars}) is too small to hold an empty result and the truncation notice`);
  }

  // Binary search for the largest count that fits; `total` itself is known not to fit.
  let shown = 0;
  let lo = 1;
  let hi = total - 1;
  while (lo <= hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const candidate = renderPrefix(mid);
    if (candidate.length <= maxChars) {
      shown = mid;
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return { text: best, shown, total, truncated: true };
}

// Cursors are opaque: clients must pass back exactly what they were given and
// never build or edit one. They are not signed, so always validate the decoded
// state (as `paginate` does) rather than trusting it.
const CURSOR_VERSION = 1;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Encodes JSON-serialisable `state` as an opaque cursor. The key `v` is reserved for the format version. */
export function encodeCursor(state: Record<string, unknown>): string {
  if (Object.hasOwn(state, 'v')) {
    throw new TypeError('cursor state must not use the reserved key "v"');
  }
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, ...state }), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}. Only the envelope is checked;
 * the shape of `T` is not, so validate its fields before use.
 */
export function decodeCursor<T extends Record<string, unknown>>(cursor: string): T {
  // Buffer silently skips invalid characters, so check the alphabet first.
  if (!BASE64URL.test(cursor)) throw new CursorError('invalid cursor: not base64url');

  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('invalid cursor: not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CursorError('invalid cursor: not an object');
  }
  const { v, ...state } = parsed as Record<string, unknown>;
  if (v !== CURSOR_VERSION) throw new CursorError('invalid cursor: unsupported version');
  return state as T;
}

/** Offset-based pagination over an in-memory array. `nextCursor` is absent on the last page. */
export function paginate<T>(all: readonly T[], cursor: string | undefined, pageSize: number): Page<T> {
  if (!Number.isSafeInteger(pageSize) || pageSize <= 0) {
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  }

  let offset = 0;
  if (cursor !== undefined) {
    const state = decodeCursor<{ offset?: unknown }>(cursor);
    const candidate = state.offset;
    if (typeof candidate !== 'number' || !Number.isSafeInteger(candidate) || candidate < 0) {
      throw new CursorError('invalid cursor: bad offset');
    }
    // An offset equal to the length (e.g. the list shrank) yields an empty last page.
    if (candidate > all.length) throw new CursorError('invalid cursor: offset is beyond the end');
    offset = candidate;
  }

  const end = offset + pageSize;
  const items = all.slice(offset, end);
  return end < all.length ? { items, nextCursor: encodeCursor({ offset: end }) } : { items };
}

import { createHash } from 'node:crypto';

/**
 * Result shaping for tool output: a hard cap on text size and cursor pagination,
 * so a single tool call can never flood the model's context. Data results are
 * shaped as pages (`pagedResult`) whose JSON stays valid and whose cursor always
 * moves forward, however large one item is.
 */

export interface CapResult {
  text: string;
  truncated: boolean;
  /** Characters of the original text that were dropped (the notice is not counted). */
  omittedChars: number;
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

// A value bigger than the cap is shortened in place, never dropped: the reader still sees its
// start, the JSON stays valid, and a page holding it still counts it as shown, so the cursor moves on.

/** What a shortened string ends with, so a reader knows the value goes on and by how much. */
export function cutMarker(omittedChars: number): string {
  return `… [${omittedChars} more characters cut]`;
}

/** The first `keep` characters of `text` and the cut marker; never splits a surrogate pair. */
export function shortenString(text: string, keep: number): string {
  if (text.length <= keep) return text;
  const cut = keep > 0 && isHighSurrogate(text.charCodeAt(keep - 1)) ? keep - 1 : keep;
  const shortened = text.slice(0, cut) + cutMarker(text.length - cut);
  return shortened.length < text.length ? shortened : text;
}

interface ShrinkLimits {
  /** Characters kept of any string. */
  strings: number;
  /** Items kept of any array, fields of any object. */
  entries: number;
}

/** A copy of a JSON value within `limits`; cut arrays and objects end with an entry saying how many more there were. */
function shrink(value: unknown, limits: ShrinkLimits): unknown {
  if (typeof value === 'string') return shortenString(value, limits.strings);
  if (typeof value !== 'object' || value === null) return value;
  // Dates and other values with toJSON are shrunk as they would be serialised.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return shrink((value as { toJSON(): unknown }).toJSON(), limits);
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.entries).map((item) => shrink(item, limits));
    const more = value.length - kept.length;
    return more > 0 ? [...kept, `… [${more} more items cut]`] : kept;
  }
  const entries = Object.entries(value);
  const kept = entries.slice(0, limits.entries).map(([key, item]) => [key, shrink(item, limits)] as const);
  const more = entries.length - kept.length;
  return Object.fromEntries(more > 0 ? [...kept, ['…', `${more} more fields cut`]] : kept);
}

/** The largest integer in [low, high] for which `fits` holds, assuming it holds for all smaller ones; undefined if none. */
function largestFitting(low: number, high: number, fits: (n: number) => boolean): number | undefined {
  let best: number | undefined;
  while (low <= high) {
    const mid = low + Math.floor((high - low) / 2);
    if (fits(mid)) {
      best = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/** Longest string and largest array/object anywhere in a value. */
function measure(value: unknown, sizes = { string: 0, entries: 0 }): { string: number; entries: number } {
  if (typeof value === 'string') sizes.string = Math.max(sizes.string, value.length);
  else if (typeof value === 'object' && value !== null) {
    const children = Array.isArray(value) ? value : Object.values(value);
    sizes.entries = Math.max(sizes.entries, children.length);
    for (const child of children) measure(child, sizes);
  }
  return sizes;
}

/** Characters kept of each string when arrays or objects must be cut too: enough to recognise a value. */
const STRINGS_WHEN_CUTTING_ENTRIES = 100;

export interface Shrunk<T> {
  value: T;
  /** True when something was shortened or cut. */
  shrunk: boolean;
}

/**
 * Returns `value` unchanged when `render(value)` fits in `maxChars`. Otherwise a copy whose long
 * strings are shortened in place (each keeping as much of its start as fits, with a marker saying
 * how much was cut); only when that is not enough are long arrays and objects cut as well. Returns
 * undefined when even that cannot fit. The result has the same shape as `value` unless entries
 * had to be cut, so it still matches a tool's output schema in every ordinary case.
 */
export function shrinkToFit<T>(value: T, maxChars: number, render: (value: T) => string = JSON.stringify): Shrunk<T> | undefined {
  assertMaxChars(maxChars);
  if (render(value).length <= maxChars) return { value, shrunk: false };
  const sizes = measure(value);
  const attempt = (limits: ShrinkLimits) => shrink(value, limits) as T;
  const fits = (limits: ShrinkLimits) => render(attempt(limits)).length <= maxChars;

  // No string can keep more than the whole budget, which bounds the cost of every attempt.
  const strings = largestFitting(0, Math.min(sizes.string, maxChars), (keep) => fits({ strings: keep, entries: Infinity }));
  if (strings !== undefined) return { value: attempt({ strings, entries: Infinity }), shrunk: true };

  const keepStrings = Math.min(STRINGS_WHEN_CUTTING_ENTRIES, sizes.string);
  const entries = largestFitting(0, sizes.entries, (keep) => fits({ strings: keepStrings, entries: keep }));
  if (entries !== undefined) return { value: attempt({ strings: keepStrings, entries }), shrunk: true };
  return fits({ strings: 0, entries: 0 }) ? { value: attempt({ strings: 0, entries: 0 }), shrunk: true } : undefined;
}

export interface FittedPage<T> {
  /** The items to show: a prefix of the input, the last one possibly shrunk. */
  items: T[];
  /** How many input items are shown; the next page starts after them. */
  shown: number;
  /** True when an item was too big on its own and is shown shrunk (see shrinkToFit). */
  shrunk: boolean;
}

/**
 * One page of a paginated result within `maxChars`: the longest prefix of `items` whose
 * `render` fits. Never empty when `items` is not: a first item too big on its own is shown
 * shrunk, so a cursor that resumes after the page always moves forward and a client that
 * follows cursors always reaches the end. `render` must grow with the number of items.
 */
export function fitPage<T>(items: readonly T[], maxChars: number, render: (items: readonly T[]) => string): FittedPage<T> {
  assertMaxChars(maxChars);
  const fits = (count: number) => render(items.slice(0, count)).length <= maxChars;
  if (items.length === 0) return { items: [], shown: 0, shrunk: false };
  // The first item alone is checked first, so a page of huge items is never rendered whole.
  if (fits(1)) {
    const shown = fits(items.length) ? items.length : (largestFitting(1, items.length - 1, fits) ?? 1);
    return { items: items.slice(0, shown), shown, shrunk: false };
  }

  const [first] = items as [T];
  const fitted = shrinkToFit(first, maxChars, (item) => render([item]));
  return { items: [fitted ? fitted.value : (shrink(first, { strings: 0, entries: 0 }) as T)], shown: 1, shrunk: true };
}

export interface PagedResult<Key extends string, T> {
  /** The structured result: the page's items under `key`, then `nextCursor` and `notice` when there are. */
  structured: { [K in Key]: T[] } & { nextCursor?: string; notice?: string };
  /** The same data as text (see renderData), at most `maxChars` long. */
  text: string;
  /** How many of the page's items are shown. */
  shown: number;
}

export interface PageOptions<Key extends string, T> {
  /** The field the items go in (`rows`, `matches`). */
  key: Key;
  /** One page of items, already limited to the page size. */
  items: readonly T[];
  /** Whether more items follow `items`. */
  more: boolean;
  maxChars: number;
  /** The cursor that resumes right after the first `shown` items of the page. */
  cursorAfter(shown: number): string;
  /** Fields to add before the items (for example where the page starts). */
  fields?: Record<string, unknown>;
  /** Said when an item is shown shrunk: how to read the rest of it. */
  shrunkHint?: string;
}

/**
 * Shapes one page of a paginated tool result: structured content (items, `nextCursor`, a notice
 * when the page was cut or an item shrunk) and its JSON text, together within `maxChars`.
 */
export function pagedResult<Key extends string, T>(options: PageOptions<Key, T>): PagedResult<Key, T> {
  const { key, items, more, maxChars, cursorAfter, fields, shrunkHint } = options;
  const build = (pageItems: readonly T[], shown: number, shrunk: boolean, worstCase = false) => {
    const hasNext = worstCase || more || shown < items.length;
    const notices = [
      (worstCase || shown < items.length) &&
        `Page cut to ${shown} of ${items.length} items to stay within MAX_RESULT_CHARS; pass nextCursor to continue.`,
      (worstCase || shrunk) &&
        `An item too large to show whole is shortened: cut strings end with "… [N more characters cut]".${shrunkHint ? ` ${shrunkHint}` : ''}`,
    ].filter((notice): notice is string => typeof notice === 'string');
    return {
      ...fields,
      [key]: pageItems,
      ...(hasNext && { nextCursor: cursorAfter(shown) }),
      ...(notices.length > 0 && { notice: notices.join(' ') }),
    } as PagedResult<Key, T>['structured'];
  };
  // Fit against the longest the result could be with that many items (cursor and both notices),
  // so the real result, which can only be shorter, fits too.
  const page = fitPage(items, maxChars, (pageItems) => renderData(build(pageItems, pageItems.length, true, pageItems.length > 0)));
  const structured = build(page.items, page.shown, page.shrunk);
  return { structured, text: renderData(structured), shown: page.shown };
}

/**
 * JSON text of a structured result, with the items of each top-level array one per line: valid
 * JSON, easy to scan, and far fewer tokens than indented JSON.
 */
export function renderData(data: Record<string, unknown>): string {
  const fields = Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      Array.isArray(value) && value.length > 0
        ? `${JSON.stringify(key)}:[\n${value.map((item) => JSON.stringify(item)).join(',\n')}\n]`
        : `${JSON.stringify(key)}:${JSON.stringify(value)}`,
    );
  return `{${fields.join(',')}}`;
}

// Cursors are opaque: clients must pass back exactly what they were given and
// never build or edit one. They are not signed, so always validate the decoded
// state rather than trusting it.
const CURSOR_VERSION = 1;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A short, stable digest of a query, for a cursor to say which query it belongs to without repeating it. */
export function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

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

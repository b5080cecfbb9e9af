import { describe, it, expect } from 'vitest';
import { buildUri, parseUri, matchUri, UriError } from '../../src/lib/uri.js';

// Tiny deterministic PRNG (mulberry32) so failures are reproducible.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code point ranges weighted towards characters that are awkward in URIs.
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e], // printable ASCII, including / % ? # & + ! ' ( ) *
  [0x00, 0x1f], // control characters
  [0xa0, 0x2ff], // Latin-1 and Latin Extended
  [0x4e00, 0x9fff], // CJK
  [0xe000, 0xfffd], // private use and specials (skips the surrogate block)
  [0x1f300, 0x1faff], // emoji (astral, surrogate pairs in UTF-16)
];

function randomName(random: () => number): string {
  const length = 1 + Math.floor(random() * 12);
  let name = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = RANGES[Math.floor(random() * RANGES.length)]!;
    name += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
  }
  return name;
}

const NASTY_NAMES = [
  'shopping list',
  'café/menu',
  'a%b',
  '%20',
  '%',
  '%%41',
  'ümlaut',
  '../x',
  './x',
  '...',
  '.hidden',
  'a/b/c',
  '/',
  '//',
  ' ',
  '\t\n\r',
  '?query=1&x=2',
  '#fragment',
  "it's (really) *great*!",
  'plus+sign',
  'tilde~under_score-dash.dot',
  'emoji 🎉👨‍👩‍👧‍👦',
  '日本語のメモ',
  'مرحبا',
  'e\u0301', // combining accent
  '\u0000',
  'a:b@c;d,e=f$g',
  '[brackets]{braces}<angles>',
  '\\backslash\\',
  '"quoted"',
];

describe('buildUri', () => {
  it('produces readable, exact output', () => {
    expect(buildUri('notes', 'note', 'shopping list')).toBe('notes://note/shopping%20list');
    expect(buildUri('notes', 'note', 'café/menu')).toBe('notes://note/caf%C3%A9%2Fmenu');
    expect(buildUri('notes', 'note', 'a%b')).toBe('notes://note/a%25b');
    expect(buildUri('notes', 'folder', 'work', 'todo')).toBe('notes://folder/work/todo');
    expect(buildUri('notes', 'index')).toBe('notes://index');
    expect(buildUri('my-app+v1.x', 'item-type', 'x')).toBe('my-app+v1.x://item-type/x');
  });

  it("encodes the characters encodeURIComponent leaves alone: ! ' ( ) *", () => {
    expect(buildUri('s', 't', "!'()*")).toBe('s://t/%21%27%28%29%2A');
  });

  it('never splits a name on an embedded slash', () => {
    const uri = buildUri('notes', 'note', 'a/b/c');
    expect(uri.split('/')).toHaveLength(4); // "notes:", "", "note", "a%2Fb%2Fc"
    expect(parseUri(uri).segments).toEqual(['a/b/c']);
  });

  it('rejects a bad scheme, naming it', () => {
    for (const scheme of ['', 'Notes', '1notes', 'no tes', 'notes:', '-x']) {
      expect(() => buildUri(scheme, 'note', 'x')).toThrow(UriError);
      expect(() => buildUri(scheme, 'note', 'x')).toThrow(/scheme/);
    }
  });

  it('rejects a bad type, naming it', () => {
    for (const type of ['', 'Note', '1note', 'no_te', 'no.te', 'a/b']) {
      expect(() => buildUri('notes', type, 'x')).toThrow(UriError);
      expect(() => buildUri('notes', type, 'x')).toThrow(/type/);
    }
  });

  it('rejects empty, "." and ".." segments', () => {
    expect(() => buildUri('notes', 'note', '')).toThrow(UriError);
    expect(() => buildUri('notes', 'note', 'ok', '')).toThrow(/position 1/);
    expect(() => buildUri('notes', 'note', '.')).toThrow(UriError);
    expect(() => buildUri('notes', 'note', '..')).toThrow(UriError);
  });

  it('rejects unpaired surrogates with UriError rather than URIError', () => {
    expect(() => buildUri('notes', 'note', 'bad\uD800')).toThrow(UriError);
    expect(() => buildUri('notes', 'note', '\uDC00')).toThrow(/surrogate/);
  });
});

describe('parseUri', () => {
  it('round-trips hand-picked nasty names', () => {
    for (const name of NASTY_NAMES) {
      const uri = buildUri('notes', 'note', name);
      expect(parseUri(uri)).toEqual({ scheme: 'notes', type: 'note', segments: [name] });
    }
    const uri = buildUri('notes', 'note', ...NASTY_NAMES);
    expect(parseUri(uri).segments).toEqual(NASTY_NAMES);
  });

  it('round-trips a few hundred random names from a seeded generator', () => {
    const random = mulberry32(0xc0ffee);
    let checked = 0;
    for (let i = 0; i < 500; i++) {
      const segments = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomName(random));
      if (segments.some((s) => s === '.' || s === '..')) continue;
      const uri = buildUri('x-app', 'thing', ...segments);
      expect(uri).not.toMatch(/[\s!'()*]/);
      expect(parseUri(uri)).toEqual({ scheme: 'x-app', type: 'thing', segments });
      checked++;
    }
    expect(checked).toBeGreaterThan(450);
  });

  it('parses a URI without segments', () => {
    expect(parseUri('notes://index')).toEqual({ scheme: 'notes', type: 'index', segments: [] });
  });

  it('accepts equivalent encodings a client may produce', () => {
    expect(parseUri('notes://note/caf%c3%a9%2fmenu').segments).toEqual(['café/menu']);
  });

  it('rejects a missing "://"', () => {
    expect(() => parseUri('notes:note/x')).toThrow(UriError);
    expect(() => parseUri('notes')).toThrow(/missing ":\/\/"/);
    expect(() => parseUri('')).toThrow(UriError);
  });

  it('rejects a bad scheme or type', () => {
    expect(() => parseUri('Notes://note/x')).toThrow(/scheme/);
    expect(() => parseUri('://note/x')).toThrow(/scheme/);
    expect(() => parseUri('notes://Note/x')).toThrow(/type/);
    expect(() => parseUri('notes:///x')).toThrow(/type/);
    expect(() => parseUri('notes://no_te/x')).toThrow(/type/);
  });

  it('rejects empty segments, including a trailing slash', () => {
    expect(() => parseUri('notes://note//x')).toThrow(/empty/);
    expect(() => parseUri('notes://note/x/')).toThrow(/empty/);
    expect(() => parseUri('notes://note/')).toThrow(UriError);
  });

  it('rejects "." and ".." segments, even when percent-encoded', () => {
    expect(() => parseUri('notes://note/..')).toThrow(UriError);
    expect(() => parseUri('notes://note/a/.')).toThrow(UriError);
    expect(() => parseUri('notes://note/%2E%2E')).toThrow(UriError);
  });

  it('rejects invalid percent-encoding with UriError, not URIError', () => {
    for (const uri of [
      'notes://note/%',
      'notes://note/a%zz',
      'notes://note/%E0%A4', // truncated UTF-8 sequence
      'notes://note/%C0%AF', // overlong encoding of "/"
      'notes://note/%ED%A0%80', // encoded lone surrogate
    ]) {
      let error: unknown;
      try {
        parseUri(uri);
      } catch (e) {
        error = e;
      }
      expect(error, uri).toBeInstanceOf(UriError);
      expect((error as Error).message).toMatch(/percent-encoding/);
    }
  });
});

describe('matchUri', () => {
  it('returns the decoded segments when scheme and type match', () => {
    expect(matchUri('notes://note/shopping%20list', 'notes', 'note')).toEqual(['shopping list']);
    expect(matchUri('notes://index', 'notes', 'index')).toEqual([]);
  });

  it('returns undefined for another scheme or type', () => {
    expect(matchUri('notes://note/x', 'todo', 'note')).toBeUndefined();
    expect(matchUri('notes://note/x', 'notes', 'folder')).toBeUndefined();
    // "note" must not match the longer type "notebook".
    expect(matchUri('notes://notebook/x', 'notes', 'note')).toBeUndefined();
    expect(matchUri('https://example.com/x', 'notes', 'note')).toBeUndefined();
  });

  it('throws for a malformed URI that does belong to the scheme and type', () => {
    expect(() => matchUri('notes://note/%zz', 'notes', 'note')).toThrow(UriError);
  });

  it('rejects an invalid scheme or type argument', () => {
    expect(() => matchUri('notes://note/x', 'Notes', 'note')).toThrow(UriError);
  });
});

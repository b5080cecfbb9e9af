/**
 * Stable, semantic resource URIs of the form `scheme://type/segment/segment...`.
 *
 * Segments are human-chosen names (never auto-increment ids), so a URI keeps
 * pointing at the same resource across restarts and re-orderings.
 */

export interface ParsedUri {
  scheme: string;
  type: string;
  segments: string[];
}

export class UriError extends Error {
  override name = 'UriError';
}

const SCHEME_PATTERN = /^[a-z][a-z0-9+.-]*$/;
const TYPE_PATTERN = /^[a-z][a-z0-9-]*$/;
const SEPARATOR = '://';

// encodeURIComponent leaves these alone, but they are reserved sub-delimiters
// in URIs and some clients or shells treat them specially.
const EXTRA_RESERVED = /[!'()*]/g;

function assertScheme(scheme: string): void {
  if (!SCHEME_PATTERN.test(scheme)) {
    throw new UriError(`invalid URI scheme ${JSON.stringify(scheme)}: must match ${SCHEME_PATTERN}`);
  }
}

function assertType(type: string): void {
  if (!TYPE_PATTERN.test(type)) {
    throw new UriError(`invalid URI type ${JSON.stringify(type)}: must match ${TYPE_PATTERN}`);
  }
}

function assertSegment(segment: string, index: number): void {
  if (segment === '') {
    throw new UriError(`invalid URI segment at position ${index}: must not be empty`);
  }
  // URL parsers would collapse these (even when percent-encoded as %2E).
  if (segment === '.' || segment === '..') {
    throw new UriError(`invalid URI segment at position ${index}: ${JSON.stringify(segment)} is not allowed`);
  }
}

function encodeSegment(segment: string, index: number): string {
  assertSegment(segment, index);
  let encoded: string;
  try {
    encoded = encodeURIComponent(segment);
  } catch {
    // Only lone UTF-16 surrogates fail here; they have no UTF-8 encoding.
    throw new UriError(`invalid URI segment at position ${index}: contains an unpaired surrogate`);
  }
  return encoded.replace(EXTRA_RESERVED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSegment(raw: string, index: number): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new UriError(`invalid URI segment at position ${index}: malformed percent-encoding in ${JSON.stringify(raw)}`);
  }
  assertSegment(decoded, index);
  return decoded;
}

/** Builds `scheme://type/seg1/seg2...`, percent-encoding each segment so `/` inside a name never splits it. */
export function buildUri(scheme: string, type: string, ...segments: string[]): string {
  assertScheme(scheme);
  assertType(type);
  const path = segments.map((segment, i) => `/${encodeSegment(segment, i)}`).join('');
  return `${scheme}${SEPARATOR}${type}${path}`;
}

/**
 * Inverse of {@link buildUri}. Accepts any valid percent-encoding (e.g. lowercase
 * hex), so clients that re-encode a URI still reach the same resource.
 */
export function parseUri(uri: string): ParsedUri {
  const separatorAt = uri.indexOf(SEPARATOR);
  if (separatorAt === -1) {
    throw new UriError(`invalid URI ${JSON.stringify(uri)}: missing "${SEPARATOR}"`);
  }
  const scheme = uri.slice(0, separatorAt);
  assertScheme(scheme);

  const [type = '', ...rawSegments] = uri.slice(separatorAt + SEPARATOR.length).split('/');
  assertType(type);

  return { scheme, type, segments: rawSegments.map(decodeSegment) };
}

/**
 * Returns the decoded segments if `uri` has the given scheme and type, otherwise
 * undefined. A URI that does belong to this scheme and type but is malformed
 * still throws, so callers report the real problem instead of "not found".
 */
export function matchUri(uri: string, scheme: string, type: string): string[] | undefined {
  assertScheme(scheme);
  assertType(type);
  const prefix = `${scheme}${SEPARATOR}${type}`;
  if (uri !== prefix && !uri.startsWith(`${prefix}/`)) return undefined;
  return parseUri(uri).segments;
}

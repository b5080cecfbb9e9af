import type { IncomingMessage } from 'node:http';
import { requestState, type Middleware } from './middleware.js';
import { JSONRPC, sendJsonRpcError } from './respond.js';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes (MAX_BODY_BYTES)`);
  }
}

/**
 * Reads a request body, refusing it as soon as it passes `maxBytes`: a declared Content-Length
 * is checked before reading anything, and a chunked body is counted as it arrives.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  // Plain stream events: an async iterator costs several promises per request for the same bytes.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanUp();
      reject(new BodyTooLargeError(maxBytes));
    };
    const onEnd = () => {
      cleanUp();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const onClose = () => {
      cleanUp();
      reject(new Error('the client closed the request before its body ended'));
    };
    const cleanUp = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * No JSON-RPC message nests anywhere near this deep. A body nested 100,000 levels parses, but
 * later code that walks it (schema validation, logging) would overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** Strict: invalid bytes throw instead of becoming U+FFFD. Decoding a whole buffer keeps no state, so one serves all requests. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type JsonBody = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses a body as strict UTF-8 JSON: invalid bytes are an error, never silently replaced. */
export function parseJson(body: Buffer): JsonBody {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return { ok: false, error: 'the body is not valid UTF-8' };
  }
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) return { ok: false, error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The deepest bracket nesting outside strings, in one pass without recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Reads and parses a POST body once, into the request state; later links and the SDK use the
 * parsed value (the SDK's own reader would find the stream already drained). Too large → 413 and
 * the connection is closed rather than drained; not JSON, not UTF-8 or too deep → 400.
 */
export function jsonBody(maxBytes: number): Middleware {
  return async (req, res, next) => {
    if (req.method !== 'POST') {
      await next();
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      sendJsonRpcError(res, 413, JSONRPC.serverError, error.message, { connection: 'close' });
      return;
    }
    const parsed = parseJson(raw);
    if (!parsed.ok) {
      sendJsonRpcError(res, 400, JSONRPC.parseError, `Parse error: ${parsed.error}`);
      return;
    }
    requestState(req).body = parsed.value;
    await next();
  };
}

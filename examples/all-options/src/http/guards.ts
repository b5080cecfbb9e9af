import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from './middleware.js';
import { JSONRPC, sendJsonRpcError } from './respond.js';

/**
 * Guards for MCP endpoints only (health and metrics stay open: probes arrive with the pod IP as
 * Host and no token). Host and Origin allow-lists stop DNS-rebinding attacks from a browser;
 * the bearer token, when configured, keeps everyone else out.
 */

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A Host header is `name[:port]` and nothing else (RFC 9110 §7.2). Anything with user info,
 * a path or a second colon (`evil.example@127.0.0.1`, `a/b`, `x:1:2`) is refused outright
 * rather than handed to a URL parser that would find some host name in it.
 */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?)(?::(\d{1,5}))?$/;

/** The host name of a Host header, lower-cased, or undefined when it is not a valid Host. */
export function parseHostHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = HOST_HEADER.exec(value);
  if (!match?.[1]) return undefined;
  if (match[2] !== undefined && Number(match[2]) > 65_535) return undefined;
  return match[1].toLowerCase().replace(/\.$/, '');
}

export function hostGuard(allowed: readonly string[]): Middleware {
  const names = new Set(allowed.map((name) => name.toLowerCase()));
  return async (req, res, next) => {
    const hostname = parseHostHeader(req.headers.host);
    if (hostname === undefined) {
      sendJsonRpcError(res, 400, JSONRPC.serverError, 'missing or malformed Host header');
      return;
    }
    if (!names.has('*') && !names.has(hostname)) {
      sendJsonRpcError(res, 403, JSONRPC.serverError, `Host ${hostname} is not allowed (allowed: ALLOWED_HOSTS)`);
      return;
    }
    await next();
  };
}

/**
 * An `ALLOWED_ORIGINS` entry is either a full origin (`https://app.example.com`,
 * `http://localhost:5173`: scheme, host and port must all match) or a bare host name. A bare
 * loopback name (`localhost`, `127.0.0.1`, `[::1]`) accepts http and https on any port, because
 * local tools pick their ports; any other bare name means `https://<name>` on the default port.
 * `*` accepts every origin. A request without Origin (not from a browser) always passes.
 */
export function originMatcher(allowed: readonly string[]): (origin: string) => boolean {
  if (allowed.includes('*')) return () => true;
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const entry of allowed) {
    const value = entry.trim().toLowerCase();
    if (value.includes('://')) {
      const origin = parseOrigin(value);
      if (origin !== undefined) exact.add(origin.text);
    } else if (LOOPBACK_NAMES.has(value)) {
      anyPort.add(value);
    } else {
      exact.add(`https://${value}`);
    }
  }
  return (header) => {
    const origin = parseOrigin(header);
    if (origin === undefined) return false;
    return exact.has(origin.text) || (anyPort.has(origin.hostname) && (origin.scheme === 'http:' || origin.scheme === 'https:'));
  };
}

function parseOrigin(value: string): { text: string; scheme: string; hostname: string } | undefined {
  try {
    const url = new URL(value);
    if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return undefined;
    // `URL.origin` drops a default port (443 for https), so `https://a` and `https://a:443` match.
    if (url.origin === 'null') return undefined;
    return { text: url.origin.toLowerCase(), scheme: url.protocol, hostname: url.hostname.toLowerCase() };
  } catch {
    return undefined;
  }
}

export function originGuard(allowed: readonly string[]): Middleware {
  const isAllowed = originMatcher(allowed);
  return async (req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== '' && !isAllowed(origin)) {
      sendJsonRpcError(res, 403, JSONRPC.serverError, `Origin ${JSON.stringify(origin.slice(0, 200))} is not allowed (allowed: ALLOWED_ORIGINS)`);
      return;
    }
    await next();
  };
}

export const STATIC_TOKEN_MISSING =
  'no bearer token: this server takes the static token it was started with (MCP_AUTH_TOKEN) as "Authorization: Bearer <token>"; it has no OAuth sign-in';
export const STATIC_TOKEN_WRONG = 'wrong bearer token: it is not the MCP_AUTH_TOKEN this server was started with';

export function bearerAuth(token: string): Middleware {
  const expected = digest(token);
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    // Compare fixed-length digests in constant time, so timing reveals nothing about the token.
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), expected)) {
      await next();
      return;
    }
    // Said for the person reading a client's error: which token, and that no OAuth sign-in exists
    // here (no resource_metadata in the challenge, so clients have nothing to discover).
    if (!match) {
      sendJsonRpcError(res, 401, JSONRPC.serverError, STATIC_TOKEN_MISSING, { 'www-authenticate': 'Bearer realm="mcp"' });
    } else {
      sendJsonRpcError(res, 401, JSONRPC.serverError, STATIC_TOKEN_WRONG, {
        'www-authenticate': `Bearer realm="mcp", error="invalid_token", error_description="${STATIC_TOKEN_WRONG}"`,
      });
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

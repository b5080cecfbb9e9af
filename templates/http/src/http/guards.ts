import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import { JSONRPC, sendJsonRpcError } from './respond.js';

/** Answers a rejected request itself and returns false; the caller then stops. */
export type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Guards for MCP endpoints only (health and metrics stay open: probes arrive with the pod IP as
 * Host and no token). Host and Origin allow-lists stop DNS-rebinding attacks from a browser;
 * the bearer token, when configured, keeps everyone else out.
 */
export function createMcpGuard(http: Config['http']): Guard {
  const guards = [hostGuard(http.allowedHosts), originGuard(http.allowedOrigins)];
  if (http.authToken !== undefined) guards.push(bearerGuard(http.authToken));
  return (req, res) => guards.every((guard) => guard(req, res));
}

export function hostGuard(allowed: readonly string[]): Guard {
  if (allowed.includes('*')) return () => true;
  return (req, res) => {
    const result = validateHostHeader(req.headers.host, [...allowed]);
    if (result.ok) return true;
    sendJsonRpcError(res, 403, JSONRPC.serverError, `${result.message} (allowed: ALLOWED_HOSTS)`);
    return false;
  };
}

export function originGuard(allowed: readonly string[]): Guard {
  if (allowed.includes('*')) return () => true;
  return (req, res) => {
    const result = validateOriginHeader(req.headers.origin, [...allowed]);
    if (result.ok) return true;
    sendJsonRpcError(res, 403, JSONRPC.serverError, `${result.message} (allowed: ALLOWED_ORIGINS)`);
    return false;
  };
}

export const STATIC_TOKEN_MISSING =
  'no bearer token: this server takes the static token it was started with (MCP_AUTH_TOKEN) as "Authorization: Bearer <token>"; it has no OAuth sign-in';
export const STATIC_TOKEN_WRONG = 'wrong bearer token: it is not the MCP_AUTH_TOKEN this server was started with';

export function bearerGuard(token: string): Guard {
  const expected = digest(token);
  return (req, res) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    // Compare fixed-length digests in constant time, so timing reveals nothing about the token.
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), expected)) return true;
    // Said for the person reading a client's error: which token, and that no OAuth sign-in exists
    // here (no resource_metadata in the challenge, so clients have nothing to discover).
    if (!match) {
      sendJsonRpcError(res, 401, JSONRPC.serverError, STATIC_TOKEN_MISSING, { 'www-authenticate': 'Bearer realm="mcp"' });
    } else {
      sendJsonRpcError(res, 401, JSONRPC.serverError, STATIC_TOKEN_WRONG, {
        'www-authenticate': `Bearer realm="mcp", error="invalid_token", error_description="${STATIC_TOKEN_WRONG}"`,
      });
    }
    return false;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

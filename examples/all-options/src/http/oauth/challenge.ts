import type { ServerResponse } from 'node:http';
import { JSONRPC, sendJsonRpcError } from '../respond.js';

export interface Challenge {
  resourceMetadataUrl: string;
  /** Scopes to ask for: on a missing token (when some are required) and on `insufficient_scope`. */
  scopes?: readonly string[];
  error?: 'invalid_token' | 'insufficient_scope';
  description?: string;
}

/**
 * A `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3, RFC 9728 §5.1). A request with no token
 * gets no `error` code, only where to find the authorization server; a rejected token gets
 * `invalid_token` (401), a token that lacks scopes `insufficient_scope` (403).
 */
export function bearerChallenge({ resourceMetadataUrl, scopes, error, description }: Challenge): string {
  const params = [`resource_metadata="${quoted(resourceMetadataUrl)}"`];
  if (scopes !== undefined && scopes.length > 0) params.push(`scope="${quoted(scopes.join(' '))}"`);
  if (error !== undefined) params.push(`error="${error}"`);
  if (description !== undefined) params.push(`error_description="${quoted(description)}"`);
  return `Bearer ${params.join(', ')}`;
}

export function sendChallenge(res: ServerResponse, challenge: Challenge): void {
  const status = challenge.error === 'insufficient_scope' ? 403 : 401;
  const message =
    challenge.error === 'insufficient_scope'
      ? `insufficient scope: this needs ${challenge.scopes?.join(' ') ?? ''}`
      : (challenge.description ?? 'an OAuth access token is required');
  sendJsonRpcError(res, status, JSONRPC.serverError, message, { 'www-authenticate': bearerChallenge(challenge) });
}

/** RFC 6750 quoted strings: no double quotes or backslashes inside. */
function quoted(value: string): string {
  return value.replace(/["\\]/g, '');
}

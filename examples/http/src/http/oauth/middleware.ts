import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Logger } from '../../lib/logger.js';
import { requestState, type Middleware } from '../middleware.js';
import { JSONRPC, sendJsonRpcError } from '../respond.js';
import { sendChallenge } from './challenge.js';
import { InvalidTokenError, type TokenVerifier } from './verify.js';

/** The verified token of a request that passed the OAuth link (undefined without OAuth). */
export function authOf(req: IncomingMessage): AuthInfo | undefined {
  return requestState(req).auth;
}

export interface OAuthMiddlewareOptions {
  verify: TokenVerifier;
  /** Scopes every MCP request needs (OAUTH_SCOPES). */
  requiredScopes: readonly string[];
  resourceMetadataUrl: string;
  logger: Logger;
}

const RETRY_AFTER_SECONDS = '5';

/**
 * Lets a request through only with a valid access token for this server: signature, issuer,
 * audience and expiry checked, and the required scopes present. The token is never logged, not
 * even at trace level: only why it was refused.
 */
export function createOAuthMiddleware({ verify, requiredScopes, resourceMetadataUrl, logger }: OAuthMiddlewareOptions): Middleware {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      const malformed = req.headers.authorization !== undefined;
      sendChallenge(res, {
        resourceMetadataUrl,
        scopes: requiredScopes,
        ...(malformed && { error: 'invalid_token', description: 'expected Authorization: Bearer <token>' }),
      });
      return;
    }

    let auth: AuthInfo;
    try {
      auth = await verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        // The path only: a query string could carry a token from a client that put one there.
        logger.info({ reason: error.message, method: req.method, path: new URL(req.url ?? '/', 'http://localhost').pathname }, 'access token refused');
        sendChallenge(res, { resourceMetadataUrl, error: 'invalid_token', description: error.message });
        return;
      }
      logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'cannot verify access tokens');
      sendJsonRpcError(res, 503, JSONRPC.serverError, 'cannot verify access tokens right now; retry', { 'retry-after': RETRY_AFTER_SECONDS });
      return;
    }

    const missing = requiredScopes.filter((scope) => !auth.scopes.includes(scope));
    if (missing.length > 0) {
      logger.info({ missing, clientId: auth.clientId }, 'access token lacks required scopes');
      sendChallenge(res, { resourceMetadataUrl, error: 'insufficient_scope', scopes: requiredScopes });
      return;
    }
    const state = requestState(req);
    state.auth = auth;
    // A token names who is calling, so a cancellation can reach only that caller's own calls.
    const subject = auth.extra?.subject;
    if (typeof subject === 'string') state.caller = { subject, clientId: auth.clientId };
    await next();
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header?.trim() ?? '');
  return match?.[1];
}


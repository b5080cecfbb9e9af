import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthConfig } from '../../config.js';
import { sendJson } from '../respond.js';

/**
 * Where RFC 9728 puts the metadata of a resource: `/.well-known/oauth-protected-resource` inserted
 * before the resource's path, so `https://mcp.example.com/mcp` has its document at
 * `https://mcp.example.com/.well-known/oauth-protected-resource/mcp`.
 */
export function resourceMetadataUrl(resourceUrl: string): string {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`;
}

/** The Protected Resource Metadata document: clients read it to find the authorization server. */
export function protectedResourceMetadata(oauth: OAuthConfig): Record<string, unknown> {
  return {
    resource: oauth.resourceUrl,
    authorization_servers: [oauth.issuer],
    ...(oauth.scopes.length > 0 && { scopes_supported: oauth.scopes }),
    bearer_methods_supported: ['header'],
  };
}

/** Answers a request for the metadata document and returns true, or returns false for any other path. */
export type MetadataRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves the document at the path-aware location of the configured resource and at the bare
 * `/.well-known/oauth-protected-resource` (clients that ignore the path look there). Open to
 * everyone, like the probes: a client reads it before it has a token.
 */
export function createMetadataRoute(oauth: OAuthConfig): MetadataRoute {
  const paths = new Set(['/.well-known/oauth-protected-resource', new URL(resourceMetadataUrl(oauth.resourceUrl)).pathname]);
  const document = protectedResourceMetadata(oauth);
  return (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (!paths.has(pathname)) return false;
    // Browser-based clients fetch it cross-origin; it holds nothing secret.
    const cors = { 'access-control-allow-origin': '*' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET', 'access-control-allow-headers': '*' }).end();
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      sendJson(res, 200, document, { ...cors, 'cache-control': 'public, max-age=3600' });
    } else {
      sendJson(res, 405, { error: `no route for ${req.method ?? ''} ${pathname}` }, { allow: 'GET, OPTIONS' });
    }
    return true;
  };
}

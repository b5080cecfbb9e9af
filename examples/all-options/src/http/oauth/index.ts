import type { OAuthConfig } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import type { ScopedTool } from '../../tools/scopes.js';
import { IssuerKeys } from './jwks.js';
import { createMetadataRoute, resourceMetadataUrl, type MetadataRoute } from './metadata.js';
import type { Middleware } from '../middleware.js';
import { createOAuthMiddleware } from './middleware.js';
import { createToolScopeCheck, type ToolScopeCheck } from './tool-scopes.js';
import { createTokenVerifier } from './verify.js';

export { authOf } from './middleware.js';
export type { MetadataRoute } from './metadata.js';
export type { ToolScopeCheck } from './tool-scopes.js';

export interface OAuthResourceServer {
  /** Serves `/.well-known/oauth-protected-resource[/mcp]`; open to everyone. */
  metadata: MetadataRoute;
  /** Guards MCP endpoints: a valid access token for this server, with the required scopes. */
  middleware: Middleware;
  /** After the body is read: refuses calls to tools whose scopes the token lacks (403, step-up). */
  toolScopes: ToolScopeCheck;
}

/** Everything the HTTP server needs to act as an OAuth 2.1 resource server for `oauth.issuer`. */
export function createOAuthResourceServer(oauth: OAuthConfig, tools: readonly ScopedTool[], logger: Logger): OAuthResourceServer {
  const metadataUrl = resourceMetadataUrl(oauth.resourceUrl);
  const keys = new IssuerKeys({ issuer: oauth.issuer, jwksUrl: oauth.jwksUrl });
  const verify = createTokenVerifier({ issuer: oauth.issuer, audience: oauth.resourceUrl, getKey: keys.getKey, resourceMetadataUrl: metadataUrl });
  return {
    metadata: createMetadataRoute(oauth),
    middleware: createOAuthMiddleware({ verify, requiredScopes: oauth.scopes, resourceMetadataUrl: metadataUrl, logger }),
    toolScopes: createToolScopeCheck(tools, oauth.scopes, metadataUrl),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { messagesIn } from '../lib/jsonrpc.js';
import type { Logger } from '../lib/logger.js';
import type { ReadinessCheck } from '../lib/readiness.js';
import { jsonBody } from './body.js';
import { bearerAuth, hostGuard, originGuard } from './guards.js';
import { healthz, readyz } from './health.js';
import { opensLongLivedStream, type McpEndpoint } from './mcp-endpoint.js';
import type { Metrics } from './metrics.js';
import { compose, requestState, type Middleware } from './middleware.js';
import type { OAuthResourceServer } from './oauth/index.js';
import { JSONRPC, sendJson, sendJsonRpcError } from './respond.js';
import type { StreamRegistry } from './streams.js';

/** The legacy HTTP+SSE endpoints, present when the server was generated with `sse`. */
export interface LegacySseRoutes {
  openStream(req: IncomingMessage, res: ServerResponse): Promise<void>;
  postMessage(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface HttpAppOptions {
  http: Config['http'];
  mcp: McpEndpoint;
  legacy?: LegacySseRoutes | undefined;
  streams: StreamRegistry;
  metrics: Metrics;
  readiness: readonly ReadinessCheck[];
  logger: Logger;
  /** Set with OAUTH_ISSUER: metadata served openly, MCP endpoints behind access tokens. */
  oauth?: OAuthResourceServer | undefined;
}

export interface HttpApp {
  server: Server;
  /** Set at the start of shutdown: readiness fails and new MCP work is refused. */
  startDraining(): void;
  readonly draining: boolean;
}

const RETRY_AFTER_SECONDS = '5';

/** One `node:http` server: health and metrics open to probes, MCP endpoints behind the middleware chain. */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { http, streams, metrics, logger } = options;
  let draining = false;

  // The MCP endpoints' chain, in the order a request meets it. The order is the point:
  // - Host and Origin first: they are cheap, need nothing, and stop a DNS-rebound browser
  //   before it learns anything (not even whether a token is needed).
  // - auth (the static token, or an OAuth access token) before anything reads the body, so a
  //   stranger cannot make the server buffer MAX_BODY_BYTES or learn that it is shutting down.
  // - refuse-while-draining before the body: a request that will be refused is not read.
  // - the body is parsed once, here; every later link and the SDK use that parse.
  // - per-tool OAuth scopes after the body, because the tool a call names is in the body.
  // - the stream cap after the body, because a 2026-07-28 `subscriptions/listen` is known only
  //   from the body; it refuses only requests that open a long-lived stream, never a plain call.
  const mcpChain = compose(
    hostGuard(http.allowedHosts),
    originGuard(http.allowedOrigins),
    ...(http.authToken !== undefined ? [bearerAuth(http.authToken)] : []),
    ...(options.oauth !== undefined ? [options.oauth.middleware] : []),
    refuseWhileDraining(() => draining),
    jsonBody(http.maxBodyBytes),
    countRequests(metrics),
    ...(options.oauth !== undefined ? [toolScopes(options.oauth)] : []),
    limitLongLivedStreams(streams, options.legacy !== undefined),
    mcpRoutes(options.mcp, options.legacy),
  );

  // Probes and metrics stay outside the chain: Kubernetes sends the pod IP as Host and no token.
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    toOriginForm(req);
    const pathname = pathOf(req);
    const method = req.method ?? 'GET';
    if (method === 'GET' && pathname === '/healthz') return healthz(res);
    if (method === 'GET' && pathname === '/readyz') return readyz(res, draining, options.readiness);
    if (method === 'GET' && pathname === '/metrics') {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType }).end(body);
      return;
    }
    // RFC 9728 metadata is how a client finds the authorization server: open to everyone, like the probes.
    if (options.oauth?.metadata(req, res)) return;
    if (isMcpRoute(method, pathname, options.legacy !== undefined)) return mcpChain(req, res);
    sendJson(res, 404, { error: `no route for ${method.slice(0, 16)} ${pathname.slice(0, 200)}` });
  }

  const server = createServer(
    {
      // A request's headers and body must arrive within this long, or Node answers 408 and
      // drops the connection. Node checks only every `connectionsCheckingInterval` (30 s by
      // default), so a slow body could otherwise hold a connection for nearly twice as long.
      requestTimeout: http.requestTimeoutMs,
      headersTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.max(10, Math.floor(http.requestTimeoutMs / 10))),
    },
    (req, res) => {
      route(req, res).catch((error: unknown) => {
        // A client that hung up mid-body is not a server failure.
        if (req.destroyed && !req.complete) logger.debug({ method: req.method, url: req.url }, 'client went away mid-request');
        else logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
        if (!res.headersSent && !res.destroyed) sendJsonRpcError(res, 500, JSONRPC.internalError, 'internal server error');
        else res.destroy();
      });
    },
  );

  return {
    server,
    startDraining: () => {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
}

/**
 * A client may send the target in absolute form (`POST http://host/mcp`, RFC 9112 §3.2.2). Every
 * route, and the SDK building its own request URL from it, expects a path: the URL becomes one.
 */
function toOriginForm(req: IncomingMessage): void {
  if (req.url === undefined || req.url.startsWith('/')) return;
  try {
    const url = new URL(req.url);
    req.url = `${url.pathname}${url.search}`;
  } catch {
    req.url = '/';
  }
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

function isMcpRoute(method: string, pathname: string, hasLegacy: boolean): boolean {
  if (pathname === '/mcp') return true;
  return hasLegacy && ((pathname === '/sse' && method === 'GET') || (pathname === '/messages' && method === 'POST'));
}

/** Once shutdown starts, new MCP work gets a clear 503 and the connection is closed. */
function refuseWhileDraining(isDraining: () => boolean): Middleware {
  return async (_req, res, next) => {
    if (!isDraining()) return next();
    sendJsonRpcError(res, 503, JSONRPC.serverError, 'server is shutting down; retry', {
      'retry-after': RETRY_AFTER_SECONDS,
      connection: 'close',
    });
  };
}

/** A call to a tool whose scopes the token lacks gets 403 `insufficient_scope` (the spec's step-up). */
function toolScopes(oauth: OAuthResourceServer): Middleware {
  return async (req, res, next) => {
    if (oauth.toolScopes(req, res, requestState(req).body)) await next();
  };
}

/** Counts JSON-RPC requests by protocol version and method for `/metrics` (labels from fixed sets). */
function countRequests(metrics: Metrics): Middleware {
  return async (req, _res, next) => {
    metrics.countRequests(requestState(req).body, req.headers['mcp-protocol-version']);
    await next();
  };
}

/**
 * MAX_CONNECTIONS caps long-lived streams (listen streams, GET streams, legacy SSE sessions):
 * past it, a request that would open one gets 503. Plain calls and legacy messages always pass.
 */
function limitLongLivedStreams(streams: StreamRegistry, hasLegacy: boolean): Middleware {
  return async (req, res, next) => {
    // Whether the cap is reached is the cheap question, so it is asked first.
    if (!streams.isFull || !opensStream(req, hasLegacy)) return next();
    sendJsonRpcError(res, 503, JSONRPC.serverError, 'too many open streams (MAX_CONNECTIONS); retry later', {
      'retry-after': RETRY_AFTER_SECONDS,
    });
  };
}

function opensStream(req: IncomingMessage, hasLegacy: boolean): boolean {
  const pathname = pathOf(req);
  return (hasLegacy && pathname === '/sse') || (pathname === '/mcp' && opensLongLivedStream(req.method, messagesIn(requestState(req).body)));
}

/** The end of the chain: hands the request to the MCP endpoint or the legacy SSE routes. */
function mcpRoutes(mcp: McpEndpoint, legacy: LegacySseRoutes | undefined): Middleware {
  return async (req, res) => {
    if (legacy === undefined) return mcp(req, res);
    const pathname = pathOf(req);
    if (pathname === '/sse') return legacy.openStream(req, res);
    if (pathname === '/messages') return legacy.postMessage(req, res);
    return mcp(req, res);
  };
}

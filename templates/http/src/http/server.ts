import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../lib/logger.js';
import type { ReadinessCheck } from '../lib/readiness.js';
import { BodyTooLargeError, parseJson, readBody } from './body.js';
import type { Guard } from './guards.js';
import { healthz, readyz } from './health.js';
import type { McpEndpoint } from './mcp-endpoint.js';
import type { Metrics } from './metrics.js';
import { passes, type OAuthResourceServer } from './oauth/index.js';
import { JSONRPC, sendJson, sendJsonRpcError } from './respond.js';
import type { StreamRegistry } from './streams.js';

/** The legacy HTTP+SSE endpoints, present when the server was generated with `sse`. */
export interface LegacySseRoutes {
  openStream(req: IncomingMessage, res: ServerResponse): Promise<void>;
  postMessage(req: IncomingMessage, res: ServerResponse, parsedBody: unknown): Promise<void>;
}

export interface HttpAppOptions {
  mcp: McpEndpoint;
  legacy?: LegacySseRoutes | undefined;
  guard: Guard;
  streams: StreamRegistry;
  metrics: Metrics;
  readiness: readonly ReadinessCheck[];
  maxBodyBytes: number;
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

/** One `node:http` server: health and metrics open to probes, MCP endpoints behind the guards. */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  let draining = false;
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      options.logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
      if (!res.headersSent) sendJsonRpcError(res, 500, JSONRPC.internalError, 'internal server error');
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';

    if (method === 'GET' && pathname === '/healthz') return healthz(res);
    if (method === 'GET' && pathname === '/readyz') return readyz(res, draining, options.readiness);
    if (method === 'GET' && pathname === '/metrics') {
      const { contentType, body } = await options.metrics.render();
      res.writeHead(200, { 'content-type': contentType }).end(body);
      return;
    }
    if (options.oauth?.metadata(req, res)) return;

    const legacy = options.legacy;
    const isMcp = pathname === '/mcp';
    const isLegacyStream = legacy !== undefined && pathname === '/sse' && method === 'GET';
    const isLegacyMessage = legacy !== undefined && pathname === '/messages' && method === 'POST';
    if (!isMcp && !isLegacyStream && !isLegacyMessage) {
      sendJson(res, 404, { error: `no route for ${method} ${pathname}` });
      return;
    }

    if (!options.guard(req, res)) return;
    if (options.oauth && !(await passes(options.oauth.middleware, req, res))) return;
    if (draining) {
      sendJsonRpcError(res, 503, JSONRPC.serverError, 'server is shutting down; retry', {
        'retry-after': RETRY_AFTER_SECONDS,
        connection: 'close',
      });
      return;
    }
    if (options.streams.isFull && !isLegacyMessage) {
      sendJsonRpcError(res, 503, JSONRPC.serverError, 'too many open streams (MAX_CONNECTIONS); retry later', {
        'retry-after': RETRY_AFTER_SECONDS,
      });
      return;
    }

    if (isLegacyStream) return legacy.openStream(req, res);
    const body = method === 'POST' ? await readJsonBody(req, res) : { ok: true as const, value: undefined };
    if (!body.ok) return;
    options.metrics.countRequests(body.value, req.headers['mcp-protocol-version']);
    if (options.oauth && !options.oauth.toolScopes(req, res, body.value)) return;
    if (isLegacyMessage) return legacy.postMessage(req, res, body.value);
    return options.mcp(req, res, body.value);
  }

  async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<{ ok: true; value: unknown } | { ok: false }> {
    let raw: Buffer;
    try {
      raw = await readBody(req, options.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // The rest of the body is not read: close the connection rather than drain it.
      sendJsonRpcError(res, 413, JSONRPC.serverError, error.message, { connection: 'close' });
      return { ok: false };
    }
    const parsed = parseJson(raw);
    if (!parsed.ok) {
      sendJsonRpcError(res, 400, JSONRPC.parseError, `Parse error: ${parsed.error}`);
      return { ok: false };
    }
    return parsed;
  }

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

import type { AddressInfo } from 'node:net';
import { LegacySseSessions } from '../http/legacy-sse.js';
import { createMcpEndpoint } from '../http/mcp-endpoint.js';
import { Metrics } from '../http/metrics.js';
import { createOAuthResourceServer } from '../http/oauth/index.js';
import { createHttpApp } from '../http/server.js';
import { StreamRegistry } from '../http/streams.js';
import { describeCause, StartupError } from '../lib/startup-error.js';
import { tools } from '../tools/index.js';
import type { StartTransport } from './types.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** How long a response that is already computed gets to go out, and connections to finish, at shutdown. */
const FINAL_FLUSH_MS = 1_000;

/**
 * HTTP: Streamable HTTP on `/mcp` (both protocol eras, stateless), legacy HTTP+SSE on
 * `/sse` + `/messages`, and `/healthz`, `/readyz`, `/metrics`. `close()` is the graceful
 * shutdown, so a redeploy loses no call: refuse new work, let in-flight calls finish, close
 * streams, then connections.
 */
export const startHttp: StartTransport = async ({ config, logger, services, factory, operations }) => {
  const { http, streams: limits } = config;
  // `legacy` is read only when /metrics is scraped, after it is assigned below.
  const metrics = new Metrics({ calls: services.calls, sessions: (): number => legacy.size });
  services.handshakes.listen(metrics.recordHandshake);
  const streams = new StreamRegistry(limits, metrics.streams);
  services.calls.observe(metrics.toolCalls);
  operations.observe(metrics.operations);
  const legacy = new LegacySseSessions({ factory, streams, handshakes: services.handshakes, logger });

  const app = createHttpApp({
    http,
    mcp: createMcpEndpoint({ factory, streams, handshakes: services.handshakes, logger }),
    legacy,
    streams,
    metrics,
    readiness: services.readiness,
    logger,
    oauth: http.oauth && createOAuthResourceServer(http.oauth, tools, logger),
  });

  if (!LOOPBACK.has(http.host) && http.authToken === undefined && http.oauth === undefined) {
    logger.warn({ host: http.host }, 'listening beyond loopback without MCP_AUTH_TOKEN or OAUTH_ISSUER: anyone who can reach this port can call tools');
  }
  app.server.listen(http.port, http.host);
  await new Promise<void>((resolve, reject) => {
    app.server.once('listening', resolve);
    app.server.once('error', (error: NodeJS.ErrnoException) => {
      const cause = error.code === 'EADDRINUSE' ? 'the port is already in use' : describeCause(error);
      reject(new StartupError(`cannot listen on ${http.host}:${http.port} (HOST, PORT): ${cause}`));
    });
  });
  const { address, port } = app.server.address() as AddressInfo;
  logger.info({ address, port, endpoints: ['/mcp', '/sse', '/messages', '/healthz', '/readyz', '/metrics'], oauth: http.oauth && { issuer: http.oauth.issuer, resource: http.oauth.resourceUrl } }, 'listening');

  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: async () => {
      // New connections are still accepted while draining, so probes keep getting answers
      // (`/readyz` 503, `/healthz` 200) and new MCP requests a clear 503.
      app.startDraining();
      await services.calls.drain(config.shutdownTimeoutMs, logger);
      await streams.drain(FINAL_FLUSH_MS);
      const serverClosed = new Promise<void>((resolve) => app.server.close(() => resolve()));
      app.server.closeIdleConnections();
      const flushTimer = setTimeout(() => app.server.closeAllConnections(), FINAL_FLUSH_MS);
      await serverClosed;
      clearTimeout(flushTimer);
    },
  };
};

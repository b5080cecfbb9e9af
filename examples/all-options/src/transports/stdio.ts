import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { TappedTransport } from '../lib/transport-tap.js';
import type { StartTransport } from './types.js';

/**
 * stdio: one client, one connection. The era (2025 `initialize` or 2026-07-28 envelope) is fixed
 * by the connection's first message; the tap logs that handshake, so a version mismatch is never
 * silent. A tap on the connection, because `serveStdio` refuses an unknown version itself, before
 * any server (and its transport hooks) exists. Output goes to `protocolOut`, the one writer the stdout guard leaves on the real
 * stdout, so nothing but JSON-RPC reaches the client.
 * When the client closes stdin the transport closes and, with nothing else pending, node exits.
 */
export const startStdio: StartTransport = async ({ config, logger, services, factory, protocolOut }) => {
  const transport = new StdioServerTransport(process.stdin, protocolOut ?? process.stdout);
  const handle = serveStdio(factory, {
    transport: new TappedTransport(transport, services.handshakes.tap()),
    onerror: (error) => logger.error({ err: error }, 'stdio transport error'),
  });
  return {
    close: async () => {
      await services.calls.drain(config.shutdownTimeoutMs, logger);
      await handle.close();
    },
  };
};

import type { Writable } from 'node:stream';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Config, TransportName } from './config.js';
import type { Logger } from './lib/logger.js';
import { reuseIdleServers } from './lib/server-reuse.js';
import { onShutdownSignal } from './lib/signals.js';
import { TELEMETRY_OFF, type Telemetry, type Tracing } from './lib/telemetry/index.js';
import { instrumentServerFactory } from './lib/telemetry/mcp-spans.js';
import { OperationFeed } from './lib/telemetry/operations.js';
import { createServerFactory, serverKey } from './server.js';
import { closeServices, createServices, type Services } from './services.js';
import { tools } from './tools/index.js';
import { selectTools } from './tools/toolsets.js';
import { startStdio } from './transports/stdio.js';
import type { StartTransport } from './transports/types.js';

/** The transports this server was generated with, by `MCP_TRANSPORT` value. */
const transports: Record<TransportName, StartTransport> = {
  stdio: startStdio,
};

export interface StartOptions {
  config: Config;
  logger: Logger;
  /** The real stdout, for the stdio transport only (see lib/stdout-guard.ts). */
  protocolOut?: Writable;
  /** OpenTelemetry, started before anything it instruments was imported (see index.ts). */
  telemetry?: Telemetry;
}

/** Wires services, the server factory and the configured transport, and stops them in order on a signal. */
export async function start({ config, logger, protocolOut, telemetry = TELEMETRY_OFF }: StartOptions): Promise<void> {
  // A bad MCP_TOOLSETS stops the server before it opens anything (the factory applies it).
  selectTools(tools, config.toolsets);
  // What has started so far, stopped in reverse order on shutdown.
  const stops: (() => Promise<void>)[] = [];
  let starting: Promise<void> = Promise.resolve();

  // The signal handlers come first: a transport announces itself (a "listening" line, a port that
  // answers /readyz, a stdio connection) while it starts, and a supervisor may send SIGTERM the
  // moment it sees that. A signal during start-up waits for the start to finish, then drains.
  onShutdownSignal(logger, async () => {
    // Everything, the telemetry flush included, fits in SHUTDOWN_TIMEOUT_MS from the signal.
    const deadline = performance.now() + config.shutdownTimeoutMs;
    try {
      await starting.catch(() => undefined);
      for (const stop of stops.reverse()) await stop();
    } finally {
      await telemetry.shutdown(deadline - performance.now());
    }
  });

  starting = (async () => {
    const services = await createServices(config, logger);
    stops.push(() => closeServices(services));
    const operations = new OperationFeed();
    const running = await transports[config.transport]({
      config,
      logger,
      services,
      factory: serverFactoryFor(services, telemetry.tracing, operations),
      operations,
      protocolOut,
    });
    stops.push(() => running.close());
  })();
  await starting;
  logger.info({ transport: config.transport }, 'server started');
}

/**
 * The server factory with every MCP request traced and timed (lib/telemetry/mcp-spans.ts), and
 * idle instances reused where that is safe: stateless HTTP asks for one per request.
 */
export function serverFactoryFor(services: Services, tracing?: Tracing, operations?: OperationFeed): McpServerFactory {
  const network = PIPE_TRANSPORTS.has(services.config.transport) ? 'pipe' : 'tcp';
  const toolNames = tools.map((tool) => tool.name);
  const factory = reuseIdleServers(createServerFactory(services), { keyOf: serverKey });
  return instrumentServerFactory(factory, { network, tracing, toolNames, onOperation: operations?.record });
}

/** Transports whose connection is a pipe (`network.transport` in the MCP semantic conventions). */
const PIPE_TRANSPORTS = new Set<string>(['stdio']);

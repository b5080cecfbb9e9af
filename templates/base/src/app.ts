import type { Writable } from 'node:stream';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import { onShutdownSignal } from './lib/signals.js';
import { createServerFactory } from './server.js';
import { closeServices, createServices } from './services.js';
import { tools } from './tools/index.js';
import { selectTools } from './tools/toolsets.js';
import { transports } from './transports/index.js';

export interface StartOptions {
  config: Config;
  logger: Logger;
  /** The real stdout, for the stdio transport only (see lib/stdout-guard.ts). */
  protocolOut?: Writable;
}

/** Wires services, the server factory and the configured transport, and stops them in order on a signal. */
export async function start({ config, logger, protocolOut }: StartOptions): Promise<void> {
  // A bad MCP_TOOLSETS stops the server before it opens anything (the factory applies it).
  selectTools(tools, config.toolsets);
  const services = await createServices(config, logger);
  const running = await transports[config.transport]({
    config,
    logger,
    services,
    createFactory: (observer) => createServerFactory(services, observer),
    protocolOut,
  });
  logger.info({ transport: config.transport }, 'server started');

  onShutdownSignal(logger, async () => {
    await running.close();
    await closeServices(services);
  });
}

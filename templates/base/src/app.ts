import type { Writable } from 'node:stream';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import { onShutdownSignal } from './lib/signals.js';
import { createServerFactory } from './server.js';
import { closeServices, createServices } from './services.js';
import { transports } from './transports/index.js';

export interface StartOptions {
  config: Config;
  logger: Logger;
  /** The real stdout, for the stdio transport only (see lib/stdout-guard.ts). */
  protocolOut?: Writable;
}

/** Wires services, the server factory and the configured transport, and stops them in order on a signal. */
export async function start({ config, logger, protocolOut }: StartOptions): Promise<void> {
  // What has started so far, stopped in reverse order on shutdown.
  const stops: (() => Promise<void>)[] = [];
  let starting: Promise<void> = Promise.resolve();

  // The signal handlers come first: a transport announces itself (a "listening" line, a port that
  // answers /readyz, a stdio connection) while it starts, and a supervisor may send SIGTERM the
  // moment it sees that. A signal during start-up waits for the start to finish, then drains.
  onShutdownSignal(logger, async () => {
    await starting.catch(() => undefined);
    for (const stop of stops.reverse()) await stop();
  });

  starting = (async () => {
    const services = await createServices(config, logger);
    stops.push(() => closeServices(services));
    const running = await transports[config.transport]({
      config,
      logger,
      services,
      createFactory: (observer) => createServerFactory(services, observer),
      protocolOut,
    });
    stops.push(() => running.close());
  })();
  await starting;
  logger.info({ transport: config.transport }, 'server started');
}

import type { AppServices } from './app-services.js';
import { appReadinessChecks, closeAppServices, createAppServices } from './app-services.js';
import type { Config } from './config.js';
import { HandshakeLog } from './lib/handshake.js';
import { InFlightCalls } from './lib/inflight.js';
import type { Logger } from './lib/logger.js';
import type { ReadinessCheck } from './lib/readiness.js';

/** What the server itself provides; your own services (src/app-services.ts) are built from these. */
export interface CoreServices {
  config: Config;
  logger: Logger;
  handshakes: HandshakeLog;
  calls: InFlightCalls;
}

/**
 * Process-wide singletons, created once and shared by every server instance: the server's own
 * plus yours from src/app-services.ts. Only things that are safe to share across concurrent
 * requests belong here (a pool, a store with its own lock).
 */
export interface Services extends CoreServices, AppServices {
  /** What `/readyz` checks (HTTP transports). */
  readiness: ReadinessCheck[];
}

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const core: CoreServices = {
    config,
    logger,
    handshakes: new HandshakeLog(logger),
    calls: new InFlightCalls(),
  };
  const app = await createAppServices(core);
  return {
    ...app,
    ...core,
    readiness: [
      ...appReadinessChecks(app, config),
    ],
  };
}

/** Releases what `createServices` opened, after in-flight work has finished: your services first, as they may use ours. */
export async function closeServices(services: Services): Promise<void> {
  await closeAppServices(services);
}

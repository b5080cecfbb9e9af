import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { HandshakeLog } from './lib/handshake.js';
import { InFlightCalls } from './lib/inflight.js';
import type { Logger } from './lib/logger.js';
import type { ReadinessCheck } from './lib/readiness.js';
import { NoteStore } from './notes/store.js';

/**
 * Process-wide singletons, created once and shared by every server instance. Only things that
 * are safe to share across concurrent requests belong here (a pool, a store with its own lock).
 */
export interface Services {
  config: Config;
  logger: Logger;
  notes: NoteStore;
  handshakes: HandshakeLog;
  calls: InFlightCalls;
  /** What `/readyz` checks (HTTP transports). */
  readiness: ReadinessCheck[];
}

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const notesDir = path.join(config.dataDir, 'notes');
  const notes = new NoteStore(notesDir);
  await notes.init();
  return {
    config,
    logger,
    notes,
    handshakes: new HandshakeLog(logger),
    calls: new InFlightCalls(),
    readiness: [{ name: 'data-dir', check: () => access(notesDir, constants.W_OK) }],
  };
}

/** Releases what `createServices` opened, after in-flight work has finished. */
export async function closeServices(_services: Services): Promise<void> {
  // The note store holds no open handles; a database pool would be drained here.
}

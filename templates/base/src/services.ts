import path from 'node:path';
import type { Config } from './config.js';
import { HandshakeLog, type HandshakeListener } from './lib/handshake.js';
import type { Logger } from './lib/logger.js';
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
}

export async function createServices(config: Config, logger: Logger, onHandshake?: HandshakeListener): Promise<Services> {
  const notes = new NoteStore(path.join(config.dataDir, 'notes'));
  await notes.init();
  return { config, logger, notes, handshakes: new HandshakeLog(logger, onHandshake) };
}

/** Releases what `createServices` opened, after in-flight work has finished. */
export async function closeServices(_services: Services): Promise<void> {
  // The note store holds no open handles; a database pool would be drained here.
}

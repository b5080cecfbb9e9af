import path from 'node:path';
import type { Config } from './config.js';
import type { ReadinessCheck } from './lib/readiness.js';
import { describeCause, StartupError } from './lib/startup-error.js';
import { NoteStore } from './notes/store.js';
import type { CoreServices } from './services.js';

/**
 * Your shared services: clients, caches, stores. Created once at start-up and shared by every
 * request, so only things safe to use from concurrent calls belong here (a pool, a store with its
 * own lock, a cache keyed by input). Tools, resources and prompts reach them as `services.<name>`.
 * This file is yours: create-mcp-prod writes it once and never checks or changes it again.
 */
export interface AppServices {
  notes: NoteStore;
}

/** `core` holds what the server itself provides: config, logger. */
export async function createAppServices(core: CoreServices): Promise<AppServices> {
  const notes = new NoteStore(notesDir(core.config));
  await notes.init().catch((error: unknown) => {
    throw new StartupError(`DATA_DIR ${core.config.dataDir} cannot be used: ${describeCause(error)}`);
  });
  return { notes };
}

/** What `/readyz` checks besides the server's own dependencies (HTTP transports). */
export function appReadinessChecks(services: AppServices, _config: Config): ReadinessCheck[] {
  return [{ name: 'data-dir', check: () => services.notes.checkWritable() }];
}

/** Releases what `createAppServices` opened; called at shutdown after in-flight calls have finished. */
export async function closeAppServices(_services: AppServices): Promise<void> {
  // The note store holds no open handles: nothing to release.
}

function notesDir(config: Config): string {
  return path.join(config.dataDir, 'notes');
}

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { closeServices, createServices, type Services } from '../../src/services.js';

export interface TestServices extends Services {
  cleanup(): Promise<void>;
}

/** Real services over a fresh temporary data folder, with a silent logger; `cleanup` closes them. */
export async function createTestServices(env: Record<string, string> = {}): Promise<TestServices> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-test-'));
  const services = await createServices(loadConfig({ DATA_DIR: dataDir, ...env }), createLogger('silent'));
  return {
    ...services,
    cleanup: async () => {
      await closeServices(services);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

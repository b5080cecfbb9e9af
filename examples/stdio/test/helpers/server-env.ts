import { fileURLToPath } from 'node:url';
import { ENV_VARIABLES } from '../../src/config.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The environment variables the server reads. Deployment files may set only these, so a
 * misspelt or retired name fails a test instead of being silently ignored in production.
 */
export function serverEnvNames(): string[] {
  return [...ENV_VARIABLES];
}

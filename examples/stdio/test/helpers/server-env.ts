import { fileURLToPath } from 'node:url';
import { ENV_VARIABLES } from '../../src/config.js';
import { TELEMETRY_ENV_VARIABLES } from '../../src/lib/telemetry/env.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The environment variables the server reads (its own, and the standard OpenTelemetry ones).
 * Deployment files may set only these, so a misspelt or retired name fails a test instead of
 * being silently ignored in production.
 */
export function serverEnvNames(): string[] {
  return [...ENV_VARIABLES, ...TELEMETRY_ENV_VARIABLES];
}

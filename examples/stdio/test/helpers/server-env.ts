import { ENV_VARIABLES } from '../../src/config.js';
import { TELEMETRY_ENV_VARIABLES } from '../../src/lib/telemetry/env.js';

export { repoRoot } from './server-process.js';

/**
 * The environment variables the server reads (its own, and the standard OpenTelemetry ones).
 * Deployment files may set only these, so a misspelt or retired name fails a test instead of
 * being silently ignored in production.
 */
export function serverEnvNames(): string[] {
  return [...ENV_VARIABLES, ...TELEMETRY_ENV_VARIABLES];
}

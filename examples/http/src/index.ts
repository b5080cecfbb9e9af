#!/usr/bin/env node
// Entry point: config → logger → everything else, so a bad setting stops the server before it binds.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './lib/logger.js';
import { StartupError } from './lib/startup-error.js';
import { startTelemetry } from './lib/telemetry/index.js';

const bootLogger = createLogger('info');

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  bootLogger.fatal(error.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel);

/**
 * A start-up failure the operator can fix (an unusable DATA_DIR, a port in use, a setting that can
 * only be checked while the server is assembled: MCP_TOOLSETS, a database role that can do more
 * than read) is one log line and exit code 1; anything else is a bug and keeps its stack.
 */
function exitOnStartupError(error: unknown): never {
  if (!(error instanceof StartupError) && !(error instanceof ConfigError)) throw error;
  logger.fatal(error.message);
  process.exit(1);
}
// Tracing starts before the rest is imported, so the libraries it instruments (`pg`) load instrumented.
const telemetry = await startTelemetry(logger);

const { start } = await import('./app.js');
await start({ config, logger, telemetry }).catch(exitOnStartupError);

#!/usr/bin/env node
// Entry point: config → stdout guard → everything else. The rest of the server is imported only
// after the guard is in place, so not even a dependency's import-time output can reach stdout.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './lib/logger.js';
import { installStdoutGuard } from './lib/stdout-guard.js';

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
const protocolOut = config.transport === 'stdio' ? installStdoutGuard(logger).protocolOut : undefined;

const { start } = await import('./app.js');
await start({ config, logger, ...(protocolOut && { protocolOut }) });

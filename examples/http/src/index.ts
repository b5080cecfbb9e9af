#!/usr/bin/env node
// Entry point: config → logger → everything else, so a bad setting stops the server before it binds.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './lib/logger.js';

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

const { start } = await import('./app.js');
await start({ config, logger });

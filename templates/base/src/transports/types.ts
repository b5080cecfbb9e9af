import type { Writable } from 'node:stream';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Services } from '../services.js';

export interface TransportOptions {
  config: Config;
  logger: Logger;
  services: Services;
  factory: McpServerFactory;
  protocolOut?: Writable | undefined;
}

export interface RunningTransport {
  /** Stops accepting work, lets in-flight work finish, and closes connections. */
  close(): Promise<void>;
}

/** A transport is a thin adapter that serves the same server factory over one kind of connection. */
export type StartTransport = (options: TransportOptions) => Promise<RunningTransport>;

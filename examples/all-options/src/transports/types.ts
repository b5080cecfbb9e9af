import type { Writable } from 'node:stream';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Services } from '../services.js';
import type { ToolCallObserver } from '../tools/register.js';

export interface TransportOptions {
  config: Config;
  logger: Logger;
  services: Services;
  /** Builds the server factory; a transport passes an observer when it exports metrics. */
  createFactory: (observer?: ToolCallObserver) => McpServerFactory;
  protocolOut?: Writable | undefined;
}

export interface RunningTransport {
  /** Where an HTTP transport listens (the real port when PORT=0). */
  url?: string;
  /** Stops taking work, lets in-flight calls finish (up to SHUTDOWN_TIMEOUT_MS), closes connections. */
  close(): Promise<void>;
}

/** A transport is a thin adapter that serves the same server factory over one kind of connection. */
export type StartTransport = (options: TransportOptions) => Promise<RunningTransport>;

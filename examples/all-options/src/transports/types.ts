import type { Writable } from 'node:stream';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { OperationFeed } from '../lib/telemetry/operations.js';
import type { Services } from '../services.js';

export interface TransportOptions {
  config: Config;
  logger: Logger;
  services: Services;
  /** The server factory, as the SDK's own transports take it. */
  factory: McpServerFactory;
  /** Every finished MCP operation, for transports that export metrics. */
  operations: OperationFeed;
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

import type { TransportName } from '../config.js';
import type { StartTransport } from './types.js';
import { startHttp } from './http.js';

/** The transports this server was generated with, by `MCP_TRANSPORT` value. */
export const transports: Record<TransportName, StartTransport> = {
  http: startHttp,
};

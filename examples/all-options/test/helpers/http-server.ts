import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { serverFactoryFor } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Tracing } from '../../src/lib/telemetry/index.js';
import { OperationFeed } from '../../src/lib/telemetry/operations.js';
import { createServices, type Services } from '../../src/services.js';
import { startHttp } from '../../src/transports/http.js';
import { captureLogs, type LogEntry } from './log-capture.js';

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  config: Config;
  services: Services;
  /** The server's JSON log lines, parsed. */
  logs: LogEntry[];
  /** Graceful shutdown as on SIGTERM (drain, close streams and connections). */
  shutdown(): Promise<void>;
  /** Shuts down (if not yet) and removes the data folder. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The real HTTP transport in this process, on a free loopback port, over real services and a
 * fresh data folder. `env` is the environment as the server would read it; `tracing` turns spans on.
 */
export async function startTestHttpServer(env: Record<string, string> = {}, options: { tracing?: Tracing } = {}): Promise<TestHttpServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-http-test-'));
  try {
    const config = loadConfig({ MCP_TRANSPORT: 'http', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ...env });
    const { logger, entries } = captureLogs('debug');
    const services = await createServices(config, logger);
    const operations = new OperationFeed();
    const factory = serverFactoryFor(services, options.tracing, operations);
    const running = await startHttp({ config, logger, services, factory, operations });
    let shutdown: Promise<void> | undefined;
    const shutdownOnce = () => (shutdown ??= running.close());
    return {
      url: running.url ?? '',
      config,
      services,
      logs: entries,
      shutdown: shutdownOnce,
      close: async () => {
        try {
          await shutdownOnce();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** For each test: the returned function starts servers as `startTestHttpServer` does; all are closed after the test. */
export function useTestHttpServers(): typeof startTestHttpServer {
  const started: TestHttpServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0)) await server.close();
  });
  return async (env, options) => {
    const server = await startTestHttpServer(env, options);
    started.push(server);
    return server;
  };
}

/** Log entries with this message. */
export function logsWith(logs: LogEntry[], msg: string): LogEntry[] {
  return logs.filter((entry) => entry.msg === msg);
}

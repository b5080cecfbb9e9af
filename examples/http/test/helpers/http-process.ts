import { startServer, type ServerProcess } from './server-process.js';

export interface HttpServerProcess extends ServerProcess {
  /** `http://127.0.0.1:<port>`, read from the `listening` log line. */
  url: string;
}

/** The built server over HTTP on a free loopback port (PORT=0 unless `env` names one), once it listens. */
export async function startHttpServer(env: Record<string, string> = {}): Promise<HttpServerProcess> {
  const server = await startServer({ transport: 'http', env });
  const listening = await server.ready;
  return Object.assign(server, { url: `http://127.0.0.1:${String(listening.port)}` });
}

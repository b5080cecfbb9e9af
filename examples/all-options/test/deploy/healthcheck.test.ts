import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { healthcheckCommand, readDockerfile } from '../helpers/dockerfile.js';
import { startHttpServer, type HttpServerProcess } from '../helpers/http-process.js';

// The image's HEALTHCHECK, run as Docker runs it (its argv, the container's environment) against
// the built server: healthy while it serves, unhealthy once it is gone.

let server: HttpServerProcess | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

/** Exit code of the health check command, with the container's ENV and the server's port. */
function runHealthcheck(port: string): Promise<number> {
  const dockerfile = readDockerfile();
  const [command = '', ...args] = healthcheckCommand(dockerfile) ?? [];
  const env = { ...dockerfile.env, PATH: process.env.PATH ?? '', PORT: port };
  // `node` in the image is the node that runs these tests here.
  const file = command === 'node' ? process.execPath : command;
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 10_000 }, (error) => resolve(error ? Number(error.code ?? 1) : 0));
  });
}

describe('Dockerfile HEALTHCHECK', () => {
  it('passes against the running server and fails once it has stopped', async () => {
    server = await startHttpServer();
    const port = new URL(server.url).port;
    expect(await runHealthcheck(port)).toBe(0);
    expect((await server.stop()).code).toBe(0);
    expect(await runHealthcheck(port)).not.toBe(0);
  });
});

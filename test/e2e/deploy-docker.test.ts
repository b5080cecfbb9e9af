import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { deployRepo } from './deploy-repo.js';
import { runDockerfileSteps, type BuiltImage } from './dockerfile-steps.js';
import { generate } from './generated-repo.js';
import { workPath } from './helpers.js';

// The generated Dockerfile's steps, run for real in a clean copy of the build context (no Docker
// engine here): the build stage compiles, the final stage installs production dependencies only,
// the server starts from what the final stage holds with the image's ENV and CMD, and the image's
// HEALTHCHECK command passes against it and fails once it is gone.

const scratchDirs: string[] = [];
afterAll(async () => {
  await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function build(repo: string): Promise<BuiltImage> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'deploy-docker-'));
  scratchDirs.push(scratch);
  return runDockerfileSteps(repo, scratch);
}

/** `node` in the image is the node running these tests. */
const program = (command: string) => (command === 'node' ? process.execPath : command);

/** The port from the server's `listening` log line, once a complete one is there. */
function listeningPort(stderr: string): string | undefined {
  const line = stderr
    .slice(0, stderr.lastIndexOf('\n') + 1)
    .split('\n')
    .find((each) => each.includes('"msg":"listening"'));
  return line ? String((JSON.parse(line) as { port: number }).port) : undefined;
}

function expectProductionOnly(image: BuiltImage): void {
  expect(existsSync(path.join(image.workdir, 'node_modules', '@modelcontextprotocol', 'server'))).toBe(true);
  for (const devOnly of ['typescript', 'vitest', 'eslint', 'tsx']) expect(existsSync(path.join(image.workdir, 'node_modules', devOnly)), devOnly).toBe(false);
}

describe('Dockerfile of an HTTP server, run step by step', () => {
  it('builds, installs production dependencies only, and serves; its HEALTHCHECK passes, then fails once stopped', async () => {
    const image = await build(await deployRepo());
    expect((await readdir(image.workdir)).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    expectProductionOnly(image);
    expect(image.exposed).toEqual([image.env.PORT]);
    expect(image.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    if (!image.healthcheck) throw new Error('an HTTP image has a HEALTHCHECK');

    // `docker run -p` reaches HOST=0.0.0.0 in the container; here the server stays on loopback,
    // on a free port (the log says which, and the health check gets it as the container would).
    const dataDir = path.join(path.dirname(image.workdir), 'data');
    const [command = '', ...args] = image.cmd;
    const child = spawn(program(command), args, { cwd: image.workdir, env: { PATH: process.env.PATH ?? '', ...image.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let port: string | undefined;
      for (let attempt = 0; port === undefined; attempt += 1) {
        if (attempt > 400 || child.exitCode !== null) throw new Error(`the image's CMD did not start a server:\n${stderr}`);
        port = listeningPort(stderr);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const healthcheck = () =>
        execa(program(image.healthcheck![0] ?? ''), image.healthcheck!.slice(1), { env: { ...image.env, PORT: port }, extendEnv: false, reject: false, timeout: 10_000 });
      expect((await healthcheck()).exitCode, 'healthy while serving').toBe(0);
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      expect((await healthcheck()).exitCode, 'unhealthy once stopped').not.toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('Dockerfile of a stdio server, run step by step', () => {
  it('has no health check or port, and serves MCP over stdin and stdout (docker run -i)', async () => {
    const repo = workPath('deploy-stdio');
    await generate(repo, ['--transport', 'stdio', '--db', 'none']);
    const image = await build(repo);
    expectProductionOnly(image);
    expect(image.healthcheck).toBeUndefined();
    expect(image.exposed).toEqual([]);
    expect(image.env.MCP_TRANSPORT).toBe('stdio');

    const [command = '', ...args] = image.cmd;
    const client = new Client({ name: 'docker-run-i', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: program(command),
        args,
        cwd: image.workdir,
        env: { PATH: process.env.PATH ?? '', ...image.env, DATA_DIR: path.join(path.dirname(image.workdir), 'data') },
        stderr: 'ignore',
      }),
    );
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['append_note', 'search_notes', 'watch_note']);
    } finally {
      await client.close();
    }
  });
});

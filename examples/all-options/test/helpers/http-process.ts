import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const serverEntry = path.join(repoRoot, 'dist', 'index.js');

export interface HttpLogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface HttpServerProcess {
  child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>`, read from the `listening` log line. */
  url: string;
  stderr(): string;
  stdout(): string;
  /** Every stderr line parsed as JSON; a line that is not JSON fails loudly. */
  logs(): HttpLogLine[];
  /** Resolves with the first log line whose msg matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<HttpLogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process if still running and removes its data folder. */
  cleanup(): Promise<void>;
}

/** SIGTERM, wait for the exit, clean up: resolves with how the process ended (a graceful stop is code 0). */
export async function stopHttpServer(server: HttpServerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  await server.cleanup();
  return exit;
}

/** The built server (`node dist/index.js`) over HTTP on a free loopback port (PORT=0). */
export async function spawnHttpServer(env: Record<string, string> = {}): Promise<HttpServerProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-http-e2e-'));
  const child = spawn(process.execPath, [serverEntry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', MCP_TRANSPORT: 'http', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: 'pipe',
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let exitedNow = false;
  const exited = once(child, 'exit').then(([code, signal]) => {
    exitedNow = true;
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });

  const logs = () => parseLogLines(err);
  const waitForLog = async (msg: string | RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = logs().find((entry) => (typeof msg === 'string' ? entry.msg === msg : msg.test(entry.msg)));
      if (line) return line;
      if (exitedNow) throw new Error(`server exited before logging "${String(msg)}"; stderr:\n${err}`);
      if (Date.now() > deadline) throw new Error(`no "${String(msg)}" log within ${timeoutMs} ms; stderr:\n${err}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const cleanup = async () => {
    if (!exitedNow) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const listening = await waitForLog('listening');
    return {
      child,
      url: `http://127.0.0.1:${String(listening.port)}`,
      stderr: () => err,
      stdout: () => out,
      logs,
      waitForLog,
      exited,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Complete stderr lines as JSON (a partial last line is left for later). */
export function parseLogLines(stderr: string): HttpLogLine[] {
  const complete = stderr.slice(0, stderr.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as HttpLogLine;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}`);
      }
    });
}

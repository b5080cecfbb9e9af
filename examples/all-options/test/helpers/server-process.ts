import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRANSPORTS, type TransportName } from '../../src/config.js';

// The built server (`npm run build` first) as a real process, the way a client or a supervisor
// runs it: every end-to-end test starts it through here, whatever the transport.

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const serverEntry = path.join(repoRoot, 'dist', 'index.js');

/**
 * The log line each transport writes once it serves, after the signal handlers are in place: a
 * supervisor may act on it at once. Over HTTP it is `listening`, which carries the port.
 */
const READY_MESSAGE: Record<string, string> = { stdio: 'server started', http: 'listening' };

/** What each transport needs to start in a test: HTTP on a free loopback port. */
const TRANSPORT_ENV: Record<string, Record<string, string>> = { http: { HOST: '127.0.0.1', PORT: '0' } };

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: number | string;
  result?: { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };
  error?: { code: number; message: string };
}

export interface ServerOptions {
  /** The `MCP_TRANSPORT` to serve; the generated default when left out. */
  transport?: TransportName;
  /** Environment on top of a minimal one (PATH, MCP_TRANSPORT, a fresh DATA_DIR, HOST/PORT for HTTP). */
  env?: Record<string, string>;
  /** Node options before the entry point, e.g. `['--import', './test/fixtures/x.mjs']`. */
  nodeArgs?: string[];
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Every complete stderr line as JSON; a line that is not JSON fails loudly (logs are JSON lines only). */
  logs(): LogLine[];
  /** The log lines with this message. */
  logged(msg: string): LogLine[];
  /** The first log line whose msg matches, as soon as it is written. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with what `find` returns once it is not undefined, checked on every chunk of output. */
  waitFor<T>(find: () => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  /** The transport's ready line; rejects if the process ends first. */
  ready: Promise<LogLine>;
  /** Writes one JSON-RPC message to the server's stdin (the stdio transport). */
  send(message: object): void;
  /** The JSON-RPC response with this id, as soon as it is on stdout (the stdio transport). */
  response(id: number | string, timeoutMs?: number): Promise<JsonRpcResponse>;
  /** Resolves with how the process ended, once its output is complete. */
  exited: Promise<Exit>;
  /** A bounded wait for the exit: a hung shutdown fails here, saying so, not at the test's timeout. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** SIGTERM, then the exit (a graceful stop is code 0); the data folder is removed. */
  stop(timeoutMs?: number): Promise<Exit>;
  /** Kills the process if still running and removes its data folder. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Starts the built server and waits for its ready line; on failure nothing is left running. */
export async function startServer(options: ServerOptions = {}): Promise<ServerProcess> {
  const server = spawnServer(options);
  try {
    await server.ready;
    return server;
  } catch (error) {
    await server.cleanup();
    throw error;
  }
}

export interface ServerLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Removes the data folder made for this launch. */
  removeDataDir(): void;
}

/** How the built server is run, for a client that spawns it itself (an SDK's stdio transport). */
export function serverLaunch({ transport = TRANSPORTS[0], env = {}, nodeArgs = [] }: ServerOptions = {}): ServerLaunch {
  const dataDir = env.DATA_DIR === undefined ? mkdtempSync(path.join(os.tmpdir(), 'mcp-process-')) : undefined;
  return {
    command: process.execPath,
    args: [...nodeArgs, serverEntry],
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      MCP_TRANSPORT: transport,
      ...(dataDir !== undefined && { DATA_DIR: dataDir }),
      ...TRANSPORT_ENV[transport],
      ...env,
    },
    removeDataDir: () => {
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the built server without waiting for it: for start-up failures and raw stdio bytes. */
export function spawnServer(options: ServerOptions = {}): ServerProcess {
  const launch = serverLaunch(options);
  // stdin stays open: a stdio server whose input ends exits on its own.
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: 'pipe' });

  let out = '';
  let err = '';
  let exit: Exit | undefined;
  // Waiters are checked on every chunk of output and at the end, in the same tick.
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const check of [...waiters]) check();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    wake();
  });
  // `close`, not `exit`: by then every byte the process wrote has been read.
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      exit = { code, signal };
      resolve(exit);
      wake();
    });
  });

  function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (error: Error | undefined, value?: T) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve(value as T);
      };
      const check = () => {
        let found: T | undefined;
        try {
          found = find();
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (found !== undefined) finish(undefined, found);
        else if (exit) finish(new Error(`the server exited (${JSON.stringify(exit)}) before ${what}; stderr:\n${err}`));
      };
      const timer = setTimeout(() => finish(new Error(`no ${what} within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
      waiters.add(check);
      check();
    });
  }

  const logs = () => logLines(err);
  // Partial and non-JSON lines are skipped while waiting; `logs()` is where they fail a test.
  const findLog = (msg: string | RegExp) => jsonLines<LogLine>(err).find((line) => (typeof msg === 'string' ? line.msg === msg : msg.test(String(line.msg))));
  const waitForLog = (msg: string | RegExp, timeoutMs = 30_000) => waitFor(() => findLog(msg), `a "${String(msg)}" log line`, timeoutMs);

  const waitForExit = (timeoutMs = 30_000) => waitFor(() => exit, 'the exit', timeoutMs);
  const cleanup = async () => {
    if (!exit) {
      child.kill('SIGKILL');
      await exited;
    }
    launch.removeDataDir();
  };

  const ready = waitForLog(READY_MESSAGE[launch.env.MCP_TRANSPORT ?? ''] ?? 'server started');
  // Nobody may wait for it (a start-up failure test): that is not an unhandled rejection.
  ready.catch(() => undefined);

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    logged: (msg) => logs().filter((line) => line.msg === msg),
    waitForLog,
    waitFor,
    ready,
    send: (message) => {
      child.stdin.write(`${JSON.stringify(message)}\n`);
    },
    response: (id, timeoutMs = 30_000) =>
      waitFor(() => jsonLines<JsonRpcResponse>(out).find((message) => message.id === id && ('result' in message || 'error' in message)), `a response to request ${JSON.stringify(id)}`, timeoutMs),
    exited,
    waitForExit,
    stop: async (timeoutMs) => {
      child.kill('SIGTERM');
      try {
        return await waitForExit(timeoutMs);
      } finally {
        await cleanup();
      }
    },
    cleanup,
  };
}

/**
 * Starts the server and sends SIGTERM the moment its ready line arrives, as a supervisor stopping
 * a server right after it said it was up would. Resolves with how it ended and what it logged: a
 * server that announces itself before its signal handlers are in place dies of the signal instead
 * of exiting 0.
 */
export async function stopAtReady(options: ServerOptions = {}): Promise<Exit & { stderr: string }> {
  const server = spawnServer(options);
  try {
    await server.ready;
  } catch (error) {
    await server.cleanup();
    throw error;
  }
  const exit = await server.stop();
  return { ...exit, stderr: server.stderr() };
}

/** The client's first message over stdio: `initialize`, then `notifications/initialized`. */
export function handshakeOverStdio(server: ServerProcess, clientName: string, protocolVersion = '2025-11-25'): void {
  server.send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: clientName, version: '1' } } });
  server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

/** Complete stderr lines as JSON log lines (a partial last line is left for later); a line that is not JSON throws. */
export function logLines(stderr: string): LogLine[] {
  return completeLines(stderr).map((line) => {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      throw new Error(`stderr line is not JSON: ${line}`);
    }
  });
}

function jsonLines<T>(text: string): T[] {
  return completeLines(text).flatMap((line) => {
    try {
      return [JSON.parse(line) as T];
    } catch {
      return [];
    }
  });
}

function completeLines(text: string): string[] {
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

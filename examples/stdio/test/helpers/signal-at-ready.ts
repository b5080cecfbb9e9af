import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverEntry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export interface SignalledExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Starts the built server and sends SIGTERM in the same tick that a stderr log line with
 * `msg === readyMessage` arrives, as an orchestrator stopping a server right after it said it was
 * up would. Resolves with how the process ended: a server that announces itself before its
 * signal handlers are in place is killed by the signal instead of exiting 0.
 */
export async function sigtermAtReadyLine(env: Record<string, string>, readyMessage: string): Promise<SignalledExit> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-signal-'));
  const child = spawn(process.execPath, [serverEntry], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env },
    // stdin stays open: a stdio server whose input ends would exit 0 on its own.
    stdio: 'pipe',
  });
  let stderr = '';
  let signalled = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (!signalled && stderr.split('\n').some((line) => isLogLine(line, readyMessage))) {
      signalled = true;
      child.kill('SIGTERM');
    }
  });
  child.stdout.resume();
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    if (!signalled) throw new Error(`the server exited before logging "${readyMessage}"; stderr:\n${stderr}`);
    return { code, signal, stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function isLogLine(line: string, message: string): boolean {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === message;
  } catch {
    return false;
  }
}

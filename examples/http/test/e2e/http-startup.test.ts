import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLogLines, repoRoot, serverEntry } from '../helpers/http-process.js';

// A start-up failure an operator can fix is one log line naming the cause, and a non-zero exit:
// no stack trace to dig through.

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [serverEntry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', MCP_TRANSPORT: 'http', HOST: '127.0.0.1', ...env },
    stdio: 'pipe',
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr, stdout };
}

function expectOneFatalLine(stderr: string, pattern: RegExp): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  const fatal = parseLogLines(stderr).filter((line) => line.level === 'fatal');
  expect(fatal).toHaveLength(1);
  expect(fatal[0]?.msg).toMatch(pattern);
}

describe('start-up failures', () => {
  it('an unusable DATA_DIR: one log line with the cause, exit 1', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'mcp-startup-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    // A file where the folder should be: not even root can create a folder inside it.
    const notAFolder = path.join(scratch, 'file');
    writeFileSync(notAFolder, 'x');

    const { code, stderr, stdout } = await runUntilExit({ PORT: '0', DATA_DIR: notAFolder });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expectOneFatalLine(stderr, /^DATA_DIR .*file cannot be used: ENOTDIR/);
  });

  it('a port in use: one log line with the cause, exit 1', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'mcp-startup-'));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const taken: Server = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanups.push(() => taken.close());
    const { port } = taken.address() as { port: number };

    const { code, stderr } = await runUntilExit({ PORT: String(port), DATA_DIR: scratch });
    expect(code).toBe(1);
    expectOneFatalLine(stderr, new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port} \\(HOST, PORT\\): the port is already in use`));
  });
});

import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, spawnServer } from '../helpers/server-process.js';

// A start-up failure an operator can fix is one log line naming the cause, and a non-zero exit:
// no stack trace to dig through.

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const server = spawnServer({ transport: 'http', env });
  cleanups.push(() => server.cleanup());
  const { code } = await server.waitForExit();
  return { code, stderr: server.stderr(), stdout: server.stdout() };
}

function expectOneFatalLine(stderr: string, pattern: RegExp): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  const fatal = logLines(stderr).filter((line) => line.level === 'fatal');
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

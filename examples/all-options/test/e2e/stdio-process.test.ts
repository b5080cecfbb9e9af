import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sigtermAtReadyLine } from '../helpers/signal-at-ready.js';
import { logLines, spawnServer, tempDataDir } from './server-process.js';

let data: ReturnType<typeof tempDataDir>;
beforeEach(() => {
  data = tempDataDir();
});
afterEach(() => data.cleanup());

function send(server: ReturnType<typeof spawnServer>, message: object): void {
  server.child.stdin.write(`${JSON.stringify(message)}\n`);
}

const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('stdio process behaviour', () => {
  it('keeps stdout pure JSON-RPC while a dependency writes to stdout', async () => {
    const server = spawnServer({ DATA_DIR: data.dir }, ['--import', './test/fixtures/chatty-dependency.mjs']);
    await server.waitForLog('server started');
    send(server, initialize);
    send(server, { jsonrpc: '2.0', method: 'notifications/initialized' });
    for (let id = 1; id <= 20; id++) {
      send(server, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'append_note', arguments: { note: 'n', text: `t${id}` } } });
    }
    const responses = () => server.stdout().split('\n').filter((line) => line.includes('"id"'));
    await waitFor(() => responses().length >= 21, '21 responses');
    await waitFor(() => logLines(server.stderr()).filter((line) => line.stdout !== undefined).length >= 5, 'diverted writes');
    server.child.stdin.end();
    expect((await server.exited).code).toBe(0);

    const lines = server.stdout().split('\n').filter((line) => line !== '');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.map((line) => (JSON.parse(line) as { id: number }).id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
    const diverted = logLines(server.stderr()).filter((line) => line.stdout !== undefined);
    expect(diverted[0]).toMatchObject({ level: 'warn', stdout: expect.stringContaining('[chatty-dependency]') });
  });

  it('warns about a client asking for a protocol version the server does not speak', async () => {
    const server = spawnServer({ DATA_DIR: data.dir });
    send(server, { ...initialize, params: { ...initialize.params, protocolVersion: '1999-01-01' } });
    await waitFor(() => server.stdout().includes('"id":0'), 'initialize response');
    server.child.stdin.end();
    await server.exited;
    const warning = logLines(server.stderr()).find((line) => line.level === 'warn');
    expect(warning?.msg).toMatch(/requested protocol version 1999-01-01; server offered 2025-11-25/);
  });

  it('exits 0 when the client closes stdin', async () => {
    const server = spawnServer({ DATA_DIR: data.dir });
    await server.waitForLog('server started');
    server.child.stdin.end();
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on SIGTERM after closing the connection', async () => {
    const server = spawnServer({ DATA_DIR: data.dir });
    await server.waitForLog('server started');
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(logLines(server.stderr()).map((line) => line.msg)).toContain('shutdown complete');
  });

  // The signal handlers must be in place before the server says it started: a supervisor may stop it
  // at once. Several tries, because the window it guards is short.
  it('exits 0 on a SIGTERM sent the moment it says it started, every time', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const { stderr, ...exit } = await sigtermAtReadyLine({ MCP_TRANSPORT: 'stdio' }, 'server started');
      expect(exit, `attempt ${attempt}; stderr:\n${stderr}`).toEqual({ code: 0, signal: null });
    }
  }, 180_000);

  it('refuses to start with a bad setting, naming the variable (exit 1)', async () => {
    const server = spawnServer({ DATA_DIR: data.dir, LOG_LEVEL: 'chatty' });
    expect((await server.exited).code).toBe(1);
    const [fatal] = logLines(server.stderr());
    expect(fatal).toMatchObject({ level: 'fatal', msg: expect.stringContaining('LOG_LEVEL must be one of') });
    expect(server.stdout()).toBe('');
  });
});

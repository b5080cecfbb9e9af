import { afterEach, describe, expect, it } from 'vitest';
import { handshakeOverStdio, spawnServer, startServer, stopAtReady, type ServerProcess } from '../helpers/server-process.js';

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

describe('stdio process behaviour', () => {
  it('keeps stdout pure JSON-RPC while a dependency writes to stdout', async () => {
    const chatty = await startServer({ transport: 'stdio', nodeArgs: ['--import', './test/fixtures/chatty-dependency.mjs'] });
    server = chatty;
    handshakeOverStdio(chatty, 'raw');
    for (let id = 1; id <= 20; id++) {
      chatty.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'append_note', arguments: { note: 'n', text: `t${id}` } } });
    }
    await Promise.all(Array.from({ length: 21 }, (_, id) => chatty.response(id)));
    await chatty.waitFor(() => (chatty.logs().filter((line) => line.stdout !== undefined).length >= 5 ? true : undefined), 'five diverted writes');
    chatty.child.stdin.end();
    expect((await chatty.waitForExit()).code).toBe(0);

    const lines = chatty.stdout().split('\n').filter((line) => line !== '');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.map((line) => (JSON.parse(line) as { id: number }).id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
    const diverted = chatty.logs().filter((line) => line.stdout !== undefined);
    expect(diverted[0]).toMatchObject({ level: 'warn', stdout: expect.stringContaining('[chatty-dependency]') });
  });

  it('warns about a client asking for a protocol version the server does not speak', async () => {
    const started = spawnServer({ transport: 'stdio' });
    server = started;
    handshakeOverStdio(started, 'raw', '1999-01-01');
    await started.response(0);
    started.child.stdin.end();
    await started.waitForExit();
    const warning = started.logs().find((line) => line.level === 'warn');
    expect(warning?.msg).toMatch(/requested protocol version 1999-01-01; server offered 2025-11-25/);
  });

  it('exits 0 when the client closes stdin', async () => {
    server = await startServer({ transport: 'stdio' });
    server.child.stdin.end();
    expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on SIGTERM after closing the connection', async () => {
    server = await startServer({ transport: 'stdio' });
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    expect(server.logged('shutdown complete')).toHaveLength(1);
  });

  // The signal handlers must be in place before the server says it started: a supervisor may stop it
  // at once. Several tries, because the window it guards is short.
  it('exits 0 on a SIGTERM sent the moment it says it started, every time', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const { stderr, ...exit } = await stopAtReady({ transport: 'stdio' });
      expect(exit, `attempt ${attempt}; stderr:\n${stderr}`).toEqual({ code: 0, signal: null });
    }
  }, 180_000);

  it('refuses to start with a bad setting, naming the variable (exit 1)', async () => {
    server = spawnServer({ transport: 'stdio', env: { LOG_LEVEL: 'chatty' } });
    expect((await server.waitForExit()).code).toBe(1);
    const [fatal] = server.logs();
    expect(fatal).toMatchObject({ level: 'fatal', msg: expect.stringContaining('LOG_LEVEL must be one of') });
    expect(server.stdout()).toBe('');
  });
});

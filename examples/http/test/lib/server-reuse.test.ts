import { createMcpHandler, McpServer, type AuthInfo, type McpRequestContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { reuseIdleServers } from '../../src/lib/server-reuse.js';

// Reuse under the SDK's own stateless HTTP entry (`createMcpHandler`), driven with web Requests:
// the same serving path as the HTTP transport, without sockets.

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

interface Built {
  era: McpRequestContext['era'];
  server: McpServer;
}

/**
 * A factory that records what it built. `whoami` reports the client the instance believes it
 * serves; `wait` answers once the test opens the gate (`openGate`), and `closeGate` makes later
 * calls wait again.
 */
function recordingFactory() {
  const built: Built[] = [];
  let gate = newGate();
  const factory = (ctx: McpRequestContext) => {
    const server = new McpServer({ name: 'reuse-test', version: '1.0.0' });
    server.registerTool('whoami', { inputSchema: z.object({}) }, () => {
      const client = server.server.getClientVersion();
      return { content: [{ type: 'text', text: client?.name ?? 'nobody' }] };
    });
    server.registerTool('wait', { inputSchema: z.object({}) }, async () => {
      await gate.promise;
      return { content: [{ type: 'text', text: 'waited' }] };
    });
    built.push({ era: ctx.era, server });
    return server;
  };
  return {
    built,
    factory,
    openGate: () => gate.resolve(),
    closeGate: () => {
      gate = newGate();
    },
  };
}

/** A promise and the function that resolves it (Node 20 has no `Promise.withResolvers`). */
function newGate(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

let nextId = 1;

function modernCall(tool: string, { client, signal }: { client?: string; signal?: AbortSignal } = {}): Request {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
    ...(client !== undefined && { 'io.modelcontextprotocol/clientInfo': { name: client, version: '1.0.0' } }),
  };
  return new Request('http://localhost/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name: tool, arguments: {}, _meta } }),
    ...(signal && { signal }),
  });
}

function legacyCall(tool: string): Request {
  return new Request('http://localhost/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': LEGACY },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name: tool, arguments: {} } }),
  });
}

/** The text of the tool result in a response, JSON or one SSE event. */
async function resultText(response: Response): Promise<string> {
  const body = await response.text();
  const json = response.headers.get('content-type')?.startsWith('text/event-stream') ? (/^data: (.*)$/m.exec(body)?.[1] ?? '') : body;
  const message = JSON.parse(json) as { result?: { content: { text: string }[] }; error?: unknown };
  if (!message.result) throw new Error(`not a result: ${json}`);
  return message.result.content[0]?.text ?? '';
}

function auth(scopes: string[]): AuthInfo {
  return { token: 'test-token', clientId: 'test-client', scopes };
}

const byScopes = ({ authInfo }: McpRequestContext) => [...(authInfo?.scopes ?? [])].sort().join(' ');

describe('reuseIdleServers', () => {
  it('answers one 2026-07-28 request after another with the same instance', async () => {
    const { built, factory } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes }));
    for (const client of ['alice', 'bob', 'carol']) {
      expect(await resultText(await handler.fetch(modernCall('whoami', { client })))).toBe(client);
    }
    expect(built).toHaveLength(1);
  });

  it('never hands an instance that is serving a request to another one', async () => {
    const { built, factory, openGate } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes }));
    const waiting = [handler.fetch(modernCall('wait')), handler.fetch(modernCall('wait')), handler.fetch(modernCall('wait'))];
    const during = await handler.fetch(modernCall('whoami', { client: 'dave' }));
    expect(await resultText(during)).toBe('dave');
    expect(new Set(built.map((entry) => entry.server)).size).toBe(4);

    openGate();
    for (const response of await Promise.all(waiting)) expect(await resultText(response)).toBe('waited');
    // All four are idle now: the next four requests build nothing.
    for (let i = 0; i < 4; i++) await resultText(await handler.fetch(modernCall('whoami')));
    expect(built).toHaveLength(4);
  });

  it('forgets the previous client: a request that names none is served as by a new instance', async () => {
    const { built, factory } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes }));
    expect(await resultText(await handler.fetch(modernCall('whoami', { client: 'alice' })))).toBe('alice');
    expect(await resultText(await handler.fetch(modernCall('whoami')))).toBe('nobody');
    expect(built).toHaveLength(1);
    expect(built[0]?.server.server.getClientCapabilities()).toBeUndefined();
  });

  it('drops an instance whose request was cut off: its handler may still be running', async () => {
    const { built, factory, openGate } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes }));
    const abort = new AbortController();
    const cutOff = handler.fetch(modernCall('wait', { signal: abort.signal }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    await cutOff.then((response) => response.body?.cancel()).catch(() => undefined);

    const next = await handler.fetch(modernCall('whoami', { client: 'erin' }));
    expect(await resultText(next)).toBe('erin');
    expect(built).toHaveLength(2);
    // The cut-off handler finishing later writes nowhere: the next caller was served by another instance.
    openGate();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await resultText(await handler.fetch(modernCall('whoami', { client: 'frank' })))).toBe('frank');
    expect(built).toHaveLength(2);
  });

  it('builds a new instance for every 2025-era request', async () => {
    const { built, factory } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes }));
    for (let i = 0; i < 3; i++) expect(await resultText(await handler.fetch(legacyCall('whoami')))).toBe('nobody');
    expect(built.map((entry) => entry.era)).toEqual(['legacy', 'legacy', 'legacy']);
  });

  it('keeps instances made for different keys apart', async () => {
    const { built, factory } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes }));
    const call = async (scopes: string[]) => resultText(await handler.fetch(modernCall('whoami'), { authInfo: auth(scopes) }));
    await call(['notes:read']);
    await call(['notes:read', 'notes:write']);
    expect(built).toHaveLength(2);
    await call(['notes:write', 'notes:read']);
    await call(['notes:read']);
    expect(built).toHaveLength(2);
  });

  it('keeps at most maxIdle instances', async () => {
    const { built, factory, openGate, closeGate } = recordingFactory();
    const handler = createMcpHandler(reuseIdleServers(factory, { keyOf: byScopes, maxIdle: 1 }));
    const twoWaiting = async () => {
      const responses = [handler.fetch(modernCall('wait')), handler.fetch(modernCall('wait'))];
      openGate();
      for (const response of await Promise.all(responses)) expect(await resultText(response)).toBe('waited');
    };
    await twoWaiting();
    expect(built).toHaveLength(2);
    // One of the two was kept: the next pair builds one more.
    closeGate();
    await twoWaiting();
    expect(built).toHaveLength(3);
  });
});

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { useTestHttpServers } from '../helpers/http-server.js';
import { initializeRequest, legacyHeaders, rawRequest, toolCallRequest, waitFor, waitUntilReady, type RawResponse } from '../helpers/http-raw.js';

// Host/Origin allow-lists and the bearer token guard the MCP endpoint only; probes and metrics
// stay open. Oversized and malformed bodies are refused before any MCP work starts.

const TOKEN = 'a-long-enough-test-token';
const PROBES = ['/healthz', '/readyz', '/metrics'];

const start = useTestHttpServers();

/** A 2025-era initialize: the first request any client makes. */
function initialize(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(url, '/mcp', { headers: { accept: legacyHeaders.accept, ...headers }, body: initializeRequest() });
}

function expectJsonRpcError(response: RawResponse, status: number, code: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(JSON.parse(response.body)).toEqual({ jsonrpc: '2.0', error: { code, message: expect.any(String) }, id: null });
}

describe('Host allow-list (DNS rebinding)', () => {
  it('refuses an unknown Host on /mcp with 403, but probes and metrics still answer with it', async () => {
    const { url } = await start();
    await waitUntilReady(url);
    const evil = { host: 'evil.example:8080' };

    expectJsonRpcError(await initialize(url, evil), 403, -32000);
    for (const path of PROBES) expect((await rawRequest(url, path, { headers: evil })).status, path).toBe(200);
    // A pod IP as Host, as Kubernetes probes send it.
    expect((await rawRequest(url, '/readyz', { headers: { host: '10.1.2.3:3000' } })).status).toBe(200);
    // The loopback name the server listens on is allowed.
    expect((await initialize(url)).status).toBe(200);
  });

  it('accepts any Host with ALLOWED_HOSTS=*', async () => {
    const { url } = await start({ ALLOWED_HOSTS: '*' });
    const response = await initialize(url, { host: 'evil.example:8080' });
    expect(response.status).toBe(200);
    expect(response.body).toContain('"protocolVersion"');
  });

  it('accepts a Host named in ALLOWED_HOSTS and refuses the loopback default then', async () => {
    const { url } = await start({ ALLOWED_HOSTS: 'mcp.internal' });
    expect((await initialize(url, { host: 'mcp.internal:3000' })).status).toBe(200);
    expectJsonRpcError(await initialize(url), 403, -32000);
  });
});

describe('Origin allow-list', () => {
  it('refuses a foreign Origin with 403 and accepts a loopback one or none', async () => {
    const { url } = await start();
    expectJsonRpcError(await initialize(url, { origin: 'https://evil.example' }), 403, -32000);
    expect((await initialize(url, { origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await initialize(url)).status).toBe(200);
    // Probes do not care where a browser says the page came from.
    expect((await rawRequest(url, '/healthz', { headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('accepts an Origin named in ALLOWED_ORIGINS', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'app.example' });
    expect((await initialize(url, { origin: 'https://app.example' })).status).toBe(200);
    expectJsonRpcError(await initialize(url, { origin: 'http://localhost:5173' }), 403, -32000);
  });
});

describe('bearer token (MCP_AUTH_TOKEN)', () => {
  it('answers 401 with WWW-Authenticate when the token is missing or wrong', async () => {
    const { url } = await start({ MCP_AUTH_TOKEN: TOKEN });

    const missing = await initialize(url);
    expectJsonRpcError(missing, 401, -32000);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="mcp"');
    expect(JSON.parse(missing.body).error.message).toMatch(/^no bearer token: .*\(MCP_AUTH_TOKEN\) as "Authorization: Bearer <token>"; it has no OAuth sign-in$/);

    const wrong = await initialize(url, { authorization: 'Bearer not-the-right-token' });
    expectJsonRpcError(wrong, 401, -32000);
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    expect(JSON.parse(wrong.body).error.message).toBe('wrong bearer token: it is not the MCP_AUTH_TOKEN this server was started with');
    // Nothing in either challenge invites OAuth discovery (which would end in "registration rejected").
    for (const challenge of [missing.headers['www-authenticate'], wrong.headers['www-authenticate']]) expect(challenge).not.toMatch(/resource_metadata/);

    // A prefix of the right token, or another scheme, is no better.
    expect((await initialize(url, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await initialize(url, { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` })).status).toBe(401);
  });

  it('a client without the token reports the cause: the static MCP_AUTH_TOKEN, not OAuth', async () => {
    const { url } = await start({ MCP_AUTH_TOKEN: TOKEN });
    const client = new Client({ name: 'no-token', version: '1.0.0' });
    const error = await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url))).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toContain('MCP_AUTH_TOKEN');
    await client.close();
  });

  it('serves a real client that sends the right token, and leaves probes open', async () => {
    const { url } = await start({ MCP_AUTH_TOKEN: TOKEN });
    const client = new Client({ name: 'guards-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('append_note');
      const result = await client.callTool({ name: 'append_note', arguments: { note: 'auth', text: 'let in' } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    await waitUntilReady(url);
    for (const path of PROBES) expect((await rawRequest(url, path)).status, path).toBe(200);
  });

  it('refuses a token shorter than 16 characters at start-up, naming the variable', () => {
    expect(() => loadConfig({ MCP_TRANSPORT: 'http', MCP_AUTH_TOKEN: 'short-token' })).toThrow(ConfigError);
    expect(() => loadConfig({ MCP_TRANSPORT: 'http', MCP_AUTH_TOKEN: 'short-token' })).toThrow(/MCP_AUTH_TOKEN/);
    expect(loadConfig({ MCP_TRANSPORT: 'http', MCP_AUTH_TOKEN: TOKEN }).http.authToken).toBe(TOKEN);
  });
});

describe('request bodies', () => {
  const LIMIT = 2048;

  /** A valid tool call whose JSON is about `size` bytes long. */
  function callOfSize(size: number): string {
    const call = toolCallRequest('append_note', { note: 'big', text: '' });
    const padding = size - JSON.stringify(call).length;
    return JSON.stringify(toolCallRequest('append_note', { note: 'big', text: 'x'.repeat(Math.max(0, padding)) }));
  }

  it('refuses a body over MAX_BODY_BYTES with 413 when Content-Length declares it', async () => {
    const { url } = await start({ MAX_BODY_BYTES: String(LIMIT) });
    const body = callOfSize(LIMIT * 2);
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMIT);

    expectJsonRpcError(await rawRequest(url, '/mcp', { headers: legacyHeaders, body }), 413, -32000);
    // Just under the limit is fine.
    const fits = callOfSize(LIMIT - 100);
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(LIMIT);
    const accepted = await rawRequest(url, '/mcp', { headers: legacyHeaders, body: fits });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toContain('"structuredContent":{"uri":"notes://note/big","line":1}');
  });

  it('refuses a chunked body (no Content-Length) once it grows past MAX_BODY_BYTES', async () => {
    const { url, services } = await start({ MAX_BODY_BYTES: String(LIMIT) });
    const body = callOfSize(LIMIT * 4);
    const chunks = body.match(/[^]{1,512}/g) ?? [];
    expect(chunks.length).toBeGreaterThan(4);

    const response = await rawRequest(url, '/mcp', { headers: legacyHeaders, chunks });
    expectJsonRpcError(response, 413, -32000);
    // The note was never written.
    expect(await services.notes.get('big')).toBeUndefined();

    // Under the limit, the same chunks make one body again.
    const fits = callOfSize(LIMIT - 100).match(/[^]{1,512}/g) ?? [];
    const accepted = await rawRequest(url, '/mcp', { headers: legacyHeaders, chunks: fits });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toContain('"structuredContent":{"uri":"notes://note/big","line":1}');
  });

  it('lets go of a client that hangs up mid-body, and keeps serving', async () => {
    const { url, logs } = await start({ MAX_BODY_BYTES: String(LIMIT) });
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    // Promises 1,000 bytes, sends 10, then goes away: the read must end, not wait forever.
    const head = `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
    await new Promise((resolve) => socket.write(`${head}{"jsonrpc"`, resolve));
    socket.destroy();

    await waitFor(() => logs.find((entry) => entry.msg === 'client went away mid-request'), { describe: () => 'the abandoned body read to end' });
    expect(logs.filter((entry) => entry.level === 'error')).toEqual([]);
    expect((await initialize(url)).status).toBe(200);
  });

  it('answers invalid JSON with 400 and a JSON-RPC parse error', async () => {
    const { url } = await start();
    const response = await rawRequest(url, '/mcp', { headers: legacyHeaders, body: '{"jsonrpc": "2.0", "method": ' });
    expectJsonRpcError(response, 400, -32700);
  });

  it('answers an unknown path with 404', async () => {
    const { url } = await start();
    expect((await rawRequest(url, '/nope')).status).toBe(404);
    expect((await rawRequest(url, '/mcp/extra', { headers: legacyHeaders, body: initializeRequest() })).status).toBe(404);
  });
});

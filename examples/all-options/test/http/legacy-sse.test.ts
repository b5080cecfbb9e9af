import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import {
  initializeRequest,
  metric,
  metricValue,
  openFds,
  openRawStream,
  rawRequest,
  scrapeMetrics,
  waitFor,
  waitForMetric,
  type RawStream,
} from '../helpers/http-raw.js';

// The legacy HTTP+SSE transport (GET /sse + POST /messages): every session's stream is tracked
// like any other, so a client that vanishes cannot leak it, and when it closes, for whatever
// reason, the session goes with it.

const LEGACY = { kind: 'legacy-sse' } as const;

let server: TestHttpServer | undefined;
let streams: RawStream[] = [];

afterEach(async () => {
  for (const stream of streams) stream.destroy();
  streams = [];
  await server?.close();
  server = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestHttpServer> {
  server = await startTestHttpServer(env);
  return server;
}

/** Opens GET /sse and resolves with the stream and its `/messages?sessionId=…` endpoint. */
async function openSession(url: string): Promise<{ stream: RawStream; endpoint: string; sessionId: string }> {
  const stream = openRawStream(url, '/sse', { headers: { accept: 'text/event-stream' } });
  streams.push(stream);
  const endpoint = await waitFor(() => stream.events().find((event) => event.event === 'endpoint')?.data, {
    describe: () => `an endpoint event; got ${JSON.stringify(stream.text())}`,
  });
  const sessionId = new URL(endpoint, url).searchParams.get('sessionId') ?? '';
  expect(sessionId).not.toBe('');
  return { stream, endpoint, sessionId };
}

function post(url: string, endpoint: string, body: object) {
  return rawRequest(url, endpoint, { body });
}

async function waitUntilClosed(stream: RawStream, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => stream.isClosed, { timeoutMs, describe: () => `the stream to close; got ${JSON.stringify(stream.text())}` });
}

describe('legacy HTTP+SSE sessions', () => {
  it('releases every session, stream and file descriptor after 250 clients vanish', async () => {
    const { url } = await start();
    expect(await metric(url, 'mcp_legacy_sse_sessions')).toBe(0);
    const baselineFds = openFds();

    const opened = await Promise.all(Array.from({ length: 250 }, () => openSession(url)));
    expect(new Set(opened.map((session) => session.sessionId)).size).toBe(250);
    await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 250);
    expect(await metric(url, 'mcp_open_streams', LEGACY)).toBe(250);
    const peakFds = openFds();
    if (baselineFds !== undefined && peakFds !== undefined) expect(peakFds).toBeGreaterThanOrEqual(baselineFds + 250);

    for (const { stream } of opened) stream.destroy();
    await Promise.all(opened.map(({ stream }) => stream.closed));

    await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 0);
    await waitForMetric(url, 'mcp_open_streams', LEGACY, 0);
    const metrics = await scrapeMetrics(url);
    const closedBy = (reason: string) => metricValue(metrics, 'mcp_stream_closes_total', { ...LEGACY, reason });
    expect(closedBy('client') + closedBy('error')).toBe(250);
    // A vanished client's session is gone, not waiting to be reused.
    expect((await post(url, opened[0]?.endpoint ?? '', initializeRequest())).status).toBe(404);
    if (baselineFds !== undefined) {
      let current: number | undefined;
      await waitFor(() => (current = openFds()) !== undefined && current <= baselineFds, {
        describe: () => `open file descriptors back to ${baselineFds} (now ${String(current)})`,
      });
    }
  });

  it('leaves exactly one session for a client that drops its stream and reconnects', async () => {
    const { url } = await start();
    const first = await openSession(url);
    expect((await post(url, first.endpoint, initializeRequest('reconnecting'))).status).toBe(202);

    first.stream.destroy();
    const second = await openSession(url);

    await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 1);
    expect(await metric(url, 'mcp_open_streams', LEGACY)).toBe(1);
    expect((await post(url, first.endpoint, initializeRequest('reconnecting'))).status).toBe(404);
    expect((await post(url, second.endpoint, initializeRequest('reconnecting'))).status).toBe(202);
  });

  it('leaves exactly one session when an SDK client closes and connects again', async () => {
    const { url } = await start();
    for (let round = 0; round < 3; round++) {
      const client = new Client({ name: 'sse-reconnect', version: '1.0.0' });
      await client.connect(new SSEClientTransport(new URL('/sse', url)));
      try {
        await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 1);
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toContain('watch_note');
      } finally {
        await client.close();
      }
      await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 0);
    }
    expect(await metric(url, 'mcp_open_streams', LEGACY)).toBe(0);
  });

  it('answers 404 to POST /messages with an unknown or missing sessionId', async () => {
    const { url } = await start();
    const unknown = await post(url, '/messages?sessionId=00000000-0000-0000-0000-000000000000', initializeRequest());
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringContaining('/sse') }, id: null });
    expect((await post(url, '/messages', initializeRequest())).status).toBe(404);
  });

  it('closes an idle session after SSE_IDLE_TIMEOUT_MS and forgets its sessionId', async () => {
    const { url } = await start({ SSE_IDLE_TIMEOUT_MS: '1000', SSE_HEARTBEAT_MS: '100' });
    const { stream, endpoint } = await openSession(url);

    await waitUntilClosed(stream);

    expect(stream.heartbeats()).toBeGreaterThanOrEqual(2);
    expect(stream.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"idle"}' });
    expect(await metric(url, 'mcp_stream_closes_total', { ...LEGACY, reason: 'idle' })).toBe(1);
    await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 0);
    expect((await post(url, endpoint, initializeRequest())).status).toBe(404);
  });

  it('keeps a busy session past the idle timeout, and closes it at SSE_MAX_LIFETIME_MS', async () => {
    const { url } = await start({ SSE_IDLE_TIMEOUT_MS: '1000', SSE_MAX_LIFETIME_MS: '2500' });
    const { stream, endpoint } = await openSession(url);
    expect((await post(url, endpoint, initializeRequest('busy'))).status).toBe(202);

    // A ping every 200 ms: traffic both ways, so the session is never idle.
    for (let i = 0; i < 100 && !stream.isClosed; i++) {
      const response = await post(url, endpoint, { jsonrpc: '2.0', id: `ping-${i}`, method: 'ping' });
      if (stream.isClosed) break;
      expect(response.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await waitUntilClosed(stream);

    expect(stream.events().filter((event) => event.event === 'message').length).toBeGreaterThan(5);
    expect(stream.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"lifetime"}' });
    expect(await metric(url, 'mcp_stream_closes_total', { ...LEGACY, reason: 'idle' })).toBe(0);
    expect(await metric(url, 'mcp_stream_closes_total', { ...LEGACY, reason: 'lifetime' })).toBe(1);
    await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 0);
  });

  it('counts legacy streams against MAX_CONNECTIONS', async () => {
    const { url } = await start({ MAX_CONNECTIONS: '1' });
    const { endpoint } = await openSession(url);

    const refused = await rawRequest(url, '/sse', { headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    // Messages for an open session still get through when the server is full.
    expect((await post(url, endpoint, initializeRequest())).status).toBe(202);
  });

  it('closes legacy streams with a final close event on shutdown', async () => {
    const { url, shutdown } = await start();
    const sessions = [await openSession(url), await openSession(url)];

    await shutdown();

    for (const { stream } of sessions) {
      await waitUntilClosed(stream, 5_000);
      expect(stream.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"shutdown"}' });
    }
  });

  it('guards /sse and /messages like /mcp (Host allow-list, bearer token)', async () => {
    const token = 'a-long-enough-test-token';
    const { url } = await start({ MCP_AUTH_TOKEN: token });
    const auth = { authorization: `Bearer ${token}` };

    const wrongHost = await rawRequest(url, '/sse', { headers: { ...auth, accept: 'text/event-stream', host: 'evil.example' } });
    expect(wrongHost.status).toBe(403);
    const noToken = await rawRequest(url, '/sse', { headers: { accept: 'text/event-stream' } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer /);
    expect((await rawRequest(url, '/messages?sessionId=x', { body: initializeRequest() })).status).toBe(401);

    const stream = openRawStream(url, '/sse', { headers: { ...auth, accept: 'text/event-stream' } });
    streams.push(stream);
    const endpoint = await waitFor(() => stream.events().find((event) => event.event === 'endpoint')?.data);
    expect((await rawRequest(url, endpoint, { body: initializeRequest() })).status).toBe(401);
    expect((await rawRequest(url, endpoint, { headers: auth, body: initializeRequest() })).status).toBe(202);
  });

  it('stops a running tool when its legacy client vanishes', async () => {
    const { url } = await start();
    const { stream, endpoint } = await openSession(url);
    expect((await post(url, endpoint, initializeRequest('vanishing'))).status).toBe(202);
    const call = { jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'watch_note', arguments: { note: 'gone', seconds: 30 } } };
    expect((await post(url, endpoint, call)).status).toBe(202);
    await waitForMetric(url, 'mcp_inflight_tool_calls', {}, 1);

    stream.destroy();

    await waitForMetric(url, 'mcp_inflight_tool_calls', {}, 0, 5_000);
    await waitFor(() => server?.logs.some((entry) => entry.msg === 'tool call aborted'), { timeoutMs: 5_000 });
    await waitForMetric(url, 'mcp_legacy_sse_sessions', {}, 0);
  });
});

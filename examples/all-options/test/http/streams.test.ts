import { afterEach, describe, expect, it } from 'vitest';
import { logsWith, startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import {
  initializeRequest,
  metric,
  metricValue,
  openFds,
  openListenStream,
  openSlowCall,
  legacyHeaders,
  listenRequest,
  modernHeaders,
  rawRequest,
  scrapeMetrics,
  toolCallRequest,
  waitFor,
  waitForMetric,
  type RawStream,
} from '../helpers/http-raw.js';

// No leaked streams: every Streamable HTTP stream is tracked, closed on disconnect, idle timeout
// and maximum lifetime, kept alive with heartbeats, limited by MAX_CONNECTIONS, and counted in
// /metrics.

const STREAMABLE = { kind: 'streamable-http' } as const;

let server: TestHttpServer | undefined;
let streams: RawStream[] = [];

afterEach(async () => {
  for (const stream of streams) stream.destroy();
  streams = [];
  await server?.close();
  server = undefined;
});

async function start(env: Record<string, string>): Promise<TestHttpServer> {
  server = await startTestHttpServer(env);
  return server;
}

function track(stream: RawStream): RawStream {
  streams.push(stream);
  return stream;
}

async function waitUntilClosed(stream: RawStream, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => stream.isClosed, { timeoutMs, describe: () => `the stream to close; received so far: ${JSON.stringify(stream.text())}` });
}

describe('Streamable HTTP streams', () => {
  it('releases every stream, tool call and file descriptor after 300 clients vanish mid-stream', async () => {
    // Heartbeats make the server send each stream's head early, so the test can see it arrive.
    const { url } = await start({ SSE_HEARTBEAT_MS: '200' });
    const init = await rawRequest(url, '/mcp', { headers: { accept: legacyHeaders.accept }, body: initializeRequest() });
    expect(init.status).toBe(200);
    expect(await metric(url, 'mcp_open_streams', STREAMABLE)).toBe(0);
    const baselineFds = openFds();

    // Half are 2025-era tool calls held open by a slow tool, half 2026-07-28 subscription streams.
    const opened: RawStream[] = [];
    for (let i = 0; i < 150; i++) {
      opened.push(track(openSlowCall(url, 60, `vanish-${i % 10}`)));
      opened.push(track(openListenStream(url)));
    }
    const heads = await Promise.all(opened.map((stream) => stream.response));
    for (const head of heads) {
      expect(head.statusCode).toBe(200);
      expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    }
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 300);
    await waitForMetric(url, 'mcp_inflight_tool_calls', {}, 150);
    const peakFds = openFds();
    if (baselineFds !== undefined && peakFds !== undefined) expect(peakFds).toBeGreaterThanOrEqual(baselineFds + 300);

    for (const stream of opened) stream.destroy();
    await Promise.all(opened.map((stream) => stream.closed));

    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 0);
    await waitForMetric(url, 'mcp_inflight_tool_calls', {}, 0);
    // A vanished client shows up as a close or, when the reset wins the race, a socket error.
    const metrics = await scrapeMetrics(url);
    const closedBy = (reason: string) => metricValue(metrics, 'mcp_stream_closes_total', { ...STREAMABLE, reason });
    expect(closedBy('client') + closedBy('error')).toBe(300);
    expect(closedBy('complete')).toBe(1); // the initialize response
    expect(logsWith(server?.logs ?? [], 'tool call aborted')).toHaveLength(150);
    if (baselineFds !== undefined) {
      let current: number | undefined;
      await waitFor(() => (current = openFds()) !== undefined && current <= baselineFds, {
        describe: () => `open file descriptors back to ${baselineFds} (now ${String(current)})`,
      });
    }
  });

  it('closes streams with no traffic after SSE_IDLE_TIMEOUT_MS, heartbeats notwithstanding', async () => {
    const { url } = await start({ SSE_IDLE_TIMEOUT_MS: '1000', SSE_HEARTBEAT_MS: '100' });
    const call = track(openSlowCall(url, 30));
    const listen = track(openListenStream(url));

    await Promise.all([waitUntilClosed(call), waitUntilClosed(listen)]);

    for (const stream of [call, listen]) {
      expect(stream.heartbeats()).toBeGreaterThanOrEqual(2);
      expect(stream.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"idle"}' });
    }
    expect(await metric(url, 'mcp_stream_closes_total', { ...STREAMABLE, reason: 'idle' })).toBe(2);
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 0);
    // The slow call lost its stream, so its tool was cancelled rather than left running.
    await waitForMetric(url, 'mcp_inflight_tool_calls', {}, 0);
    await waitFor(() => logsWith(server?.logs ?? [], 'tool call aborted').length === 1);
  });

  it('closes a live stream at SSE_MAX_LIFETIME_MS even though it never idles out', async () => {
    const { url } = await start({ SSE_MAX_LIFETIME_MS: '1000', SSE_IDLE_TIMEOUT_MS: '600000', SSE_HEARTBEAT_MS: '100' });
    const call = track(openSlowCall(url, 30));

    await waitUntilClosed(call);

    expect(call.heartbeats()).toBeGreaterThanOrEqual(2);
    expect(call.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"lifetime"}' });
    expect(await metric(url, 'mcp_stream_closes_total', { ...STREAMABLE, reason: 'lifetime' })).toBe(1);
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 0);
    await waitForMetric(url, 'mcp_inflight_tool_calls', {}, 0);
  });

  it('sends keep-alive comments on an open stream every SSE_HEARTBEAT_MS', async () => {
    const { url } = await start({ SSE_HEARTBEAT_MS: '100' });
    const listen = track(openListenStream(url));

    await waitFor(() => listen.heartbeats() >= 2, { timeoutMs: 5_000, describe: () => `2 heartbeats; got ${JSON.stringify(listen.text())}` });

    expect(listen.isClosed).toBe(false);
    // The subscription acknowledgement came first; comments are not events.
    expect(listen.events().map((event) => event.event)).toEqual(['message']);
    expect(await metric(url, 'mcp_open_streams', STREAMABLE)).toBe(1);
  });

  it('counts a stream the server finished normally as complete', async () => {
    const { url } = await start({});
    const response = await rawRequest(url, '/mcp', { headers: legacyHeaders, body: toolCallRequest('search_notes', { query: 'nothing' }) });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.body).toContain('"result"');
    await waitForMetric(url, 'mcp_stream_closes_total', { ...STREAMABLE, reason: 'complete' }, 1);
    expect(await metric(url, 'mcp_open_streams', STREAMABLE)).toBe(0);
  });

  it('answers 503 with Retry-After to a new long-lived stream past MAX_CONNECTIONS, and accepts again once one closes', async () => {
    const { url } = await start({ MAX_CONNECTIONS: '2', SSE_HEARTBEAT_MS: '100' });
    const first = track(openListenStream(url));
    track(openListenStream(url));
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 2);

    const refused = await rawRequest(url, '/mcp', { headers: modernHeaders('subscriptions/listen'), body: listenRequest() });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringContaining('MAX_CONNECTIONS') }, id: null });
    // Probes still get through while the server is full.
    expect((await rawRequest(url, '/healthz')).status).toBe(200);
    expect(await metric(url, 'mcp_open_streams', STREAMABLE)).toBe(2);

    first.destroy();
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 1);

    const next = track(openListenStream(url));
    const head = await next.response;
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 2);
  });

  it('never refuses a plain tool call because long-lived streams fill MAX_CONNECTIONS', async () => {
    const { url } = await start({ MAX_CONNECTIONS: '2' });
    track(openListenStream(url));
    track(openListenStream(url));
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 2);

    const plain = await rawRequest(url, '/mcp', { headers: legacyHeaders, body: toolCallRequest('append_note', { note: 'full', text: 'still served' }) });
    expect(plain.status).toBe(200);
    expect(plain.body).toContain('"line":1');
    // A slow call streams its reply; that stream ends with the call and is not refused either.
    const slow = track(openSlowCall(url, 60, 'full-slow'));
    expect((await slow.response).statusCode).toBe(200);
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 3);
  });

  it('ends open streams with a final close event on shutdown', async () => {
    const { url, shutdown } = await start({});
    const listens = [track(openListenStream(url)), track(openListenStream(url))];
    await waitForMetric(url, 'mcp_open_streams', STREAMABLE, 2);

    await shutdown();

    for (const listen of listens) {
      await waitUntilClosed(listen, 5_000);
      expect(listen.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"shutdown"}' });
    }
  });
});

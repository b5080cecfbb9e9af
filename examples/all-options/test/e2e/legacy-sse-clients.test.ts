import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerProcess } from '../helpers/http-process.js';
import { metric, metricValue, openRawStream, scrapeMetrics, waitFor, waitForMetric, type RawStream } from '../helpers/http-raw.js';
import { converse, type AnyClient } from '../helpers/conversation.js';

// The built server's legacy HTTP+SSE endpoints (GET /sse + POST /messages) with the SSE client
// transports of both SDKs, and the end of a legacy stream at shutdown.

describe('legacy HTTP+SSE with real MCP clients (built server)', () => {
  let server: HttpServerProcess;

  beforeAll(async () => {
    server = await startHttpServer();
  });

  afterAll(async () => {
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });

  /** One session, one handshake and one call of each tool more than `before`; nothing left open. */
  async function expectCounted(before: string): Promise<void> {
    const after = await scrapeMetrics(server.url);
    const growth = (name: string, labels: Record<string, string>) => metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(growth('mcp_handshakes_total', { era: 'legacy', outcome: 'ok' })).toBe(1);
    expect(growth('mcp_tool_calls_total', { tool: 'append_note', outcome: 'ok' })).toBe(1);
    expect(growth('mcp_tool_calls_total', { tool: 'search_notes', outcome: 'ok' })).toBe(1);
    expect(growth('mcp_stream_closes_total', { kind: 'legacy-sse' })).toBe(1);
    expect(metricValue(after, 'mcp_open_streams', { kind: 'legacy-sse' })).toBe(0);
  }

  function handshakeOf(clientName: string) {
    return server.logs().filter((line) => line.msg === 'client handshake' && (line.handshake as { clientName?: string }).clientName === clientName);
  }

  it('serves the v1 SDK SSE client', async () => {
    const before = await scrapeMetrics(server.url);
    const client = new V1Client({ name: 'e2e-sse-v1', version: '1.0.0' });
    await client.connect(new V1SSEClientTransport(new URL('/sse', server.url)));
    try {
      expect(await metric(server.url, 'mcp_legacy_sse_sessions')).toBe(1);
      await converse(client as unknown as AnyClient, 'sse-v1');
    } finally {
      await client.close();
    }
    await waitForMetric(server.url, 'mcp_legacy_sse_sessions', {}, 0);
    await expectCounted(before);
    expect(handshakeOf('e2e-sse-v1')).toEqual([
      expect.objectContaining({ handshake: expect.objectContaining({ era: 'legacy', clientName: 'e2e-sse-v1', clientVersion: '1.0.0' }) }),
    ]);
  });

  it('serves the v2 SDK SSE client', async () => {
    const before = await scrapeMetrics(server.url);
    const client = new Client({ name: 'e2e-sse-v2', version: '2.0.0' });
    await client.connect(new SSEClientTransport(new URL('/sse', server.url)));
    try {
      expect(await metric(server.url, 'mcp_legacy_sse_sessions')).toBe(1);
      await converse(client, 'sse-v2');
    } finally {
      await client.close();
    }
    await waitForMetric(server.url, 'mcp_legacy_sse_sessions', {}, 0);
    await expectCounted(before);
    expect(handshakeOf('e2e-sse-v2')).toEqual([
      expect.objectContaining({ handshake: expect.objectContaining({ era: 'legacy', clientName: 'e2e-sse-v2', clientVersion: '2.0.0' }) }),
    ]);
  });

  // Requests posted to /messages are JSON-RPC requests received over HTTP too.
  it('counts requests from legacy SSE clients in mcp_requests_total', async () => {
    const before = await metric(server.url, 'mcp_requests_total', { era: 'legacy' });
    const client = new Client({ name: 'e2e-sse-counted', version: '2.0.0' });
    await client.connect(new SSEClientTransport(new URL('/sse', server.url)));
    try {
      await client.listTools();
    } finally {
      await client.close();
    }
    // initialize and tools/list at least.
    expect((await metric(server.url, 'mcp_requests_total', { era: 'legacy' })) - before).toBeGreaterThanOrEqual(2);
  });
});

describe('legacy SSE streams at shutdown (built server)', () => {
  let server: HttpServerProcess | undefined;
  let stream: RawStream | undefined;

  afterEach(async () => {
    stream?.destroy();
    await server?.cleanup();
  });

  it('ends an open legacy stream with event: close {"reason":"shutdown"} and exits 0', async () => {
    server = await startHttpServer();
    const opened = openRawStream(server.url, '/sse', { headers: { accept: 'text/event-stream' } });
    stream = opened;
    await waitFor(() => opened.events().some((event) => event.event === 'endpoint'));
    await waitForMetric(server.url, 'mcp_legacy_sse_sessions', {}, 1);

    server.child.kill('SIGTERM');

    await waitFor(() => opened.isClosed, { describe: () => `the stream to close; got ${JSON.stringify(opened.text())}` });
    expect(opened.events().at(-1)).toEqual({ event: 'close', data: '{"reason":"shutdown"}' });
    expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
    expect(server.logged('shutdown complete')).toHaveLength(1);
  });
});

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerProcess } from '../helpers/http-process.js';
import { LEGACY_VERSION, MODERN_VERSION, metricValue, rawRequest, scrapeMetrics, waitUntilReady } from '../helpers/http-raw.js';
import { converse, type AnyClient } from '../helpers/conversation.js';

// The built server (`node dist/index.js`, MCP_TRANSPORT=http) with real clients over Streamable
// HTTP: the v2 SDK in both protocol eras and the v1 SDK. Each handshake shows in logs and metrics.

let server: HttpServerProcess;

beforeAll(async () => {
  server = await startHttpServer();
});

afterAll(async () => {
  expect(await server.stop()).toEqual({ code: 0, signal: null });
});

/** Runs `body`, then returns how much each named series grew meanwhile. */
async function metricGrowth(body: () => Promise<void>): Promise<(name: string, labels: Record<string, string>) => number> {
  const before = await scrapeMetrics(server.url);
  await body();
  const after = await scrapeMetrics(server.url);
  return (name, labels) => metricValue(after, name, labels) - metricValue(before, name, labels);
}

const LEGACY_OK = { era: 'legacy', protocol_version: LEGACY_VERSION, outcome: 'ok' };
const MODERN_OK = { era: 'modern', protocol_version: MODERN_VERSION, outcome: 'ok' };

function expectToolCallsCounted(growth: (name: string, labels: Record<string, string>) => number): void {
  expect(growth('mcp_tool_calls_total', { tool: 'append_note', outcome: 'ok' })).toBe(1);
  expect(growth('mcp_tool_calls_total', { tool: 'search_notes', outcome: 'ok' })).toBe(1);
  expect(growth('mcp_tool_call_duration_seconds_count', { tool: 'append_note', outcome: 'ok' })).toBe(1);
}

function handshakeLogs(clientName: string) {
  return server.logs().filter((line) => line.msg === 'client handshake' && (line.handshake as { clientName?: string }).clientName === clientName);
}

describe('Streamable HTTP with real MCP clients (built server)', () => {
  it('serves a 2025-era client (v2 SDK, initialize handshake) and logs its handshake', async () => {
    const growth = await metricGrowth(async () => {
      const client = new Client({ name: 'e2e-http-legacy', version: '2.0.0' }, { versionNegotiation: { mode: 'legacy' } });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url)));
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe(LEGACY_VERSION);
        await converse(client, 'v2-legacy');
      } finally {
        await client.close();
      }
    });
    expect(growth('mcp_handshakes_total', LEGACY_OK)).toBe(1);
    expect(growth('mcp_handshakes_total', { era: 'modern' })).toBe(0);
    // initialize, tools/list and two calls at least, by the version the client named.
    expect(growth('mcp_requests_total', { era: 'legacy', protocol_version: LEGACY_VERSION })).toBeGreaterThanOrEqual(4);
    expect(growth('mcp_requests_total', { era: 'legacy', protocol_version: 'unknown' })).toBe(0);
    expectToolCallsCounted(growth);
    expect(handshakeLogs('e2e-http-legacy')).toEqual([
      expect.objectContaining({
        level: 'info',
        handshake: {
          era: 'legacy',
          clientName: 'e2e-http-legacy',
          clientVersion: '2.0.0',
          requestedProtocolVersion: LEGACY_VERSION,
          servedProtocolVersion: LEGACY_VERSION,
        },
      }),
    ]);
  });

  it('serves a 2026-07-28 client (v2 SDK, per-request envelope) and logs its handshake once', async () => {
    const growth = await metricGrowth(async () => {
      const client = new Client({ name: 'e2e-http-modern', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url)));
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe(MODERN_VERSION);
        await converse(client, 'v2-modern');
      } finally {
        await client.close();
      }
    });
    // Every 2026 request is a handshake of its own (discover, list, two calls at least).
    expect(growth('mcp_handshakes_total', MODERN_OK)).toBeGreaterThanOrEqual(4);
    expect(growth('mcp_handshakes_total', { era: 'legacy' })).toBe(0);
    expect(growth('mcp_requests_total', { era: 'modern', protocol_version: MODERN_VERSION })).toBeGreaterThanOrEqual(4);
    expect(growth('mcp_requests_total', { era: 'legacy' })).toBe(0);
    expectToolCallsCounted(growth);
    // Every request carries the envelope; the log names the client once, not per request.
    expect(handshakeLogs('e2e-http-modern')).toEqual([
      expect.objectContaining({
        handshake: {
          era: 'modern',
          clientName: 'e2e-http-modern',
          clientVersion: '2.0.0',
          requestedProtocolVersion: MODERN_VERSION,
          servedProtocolVersion: MODERN_VERSION,
        },
      }),
    ]);
  });

  it('serves the v1 SDK client (@modelcontextprotocol/sdk)', async () => {
    const growth = await metricGrowth(async () => {
      const client = new V1Client({ name: 'e2e-http-v1', version: '1.0.0' });
      await client.connect(new V1StreamableHTTPClientTransport(new URL('/mcp', server.url)));
      try {
        await converse(client as unknown as AnyClient, 'v1-sdk');
      } finally {
        await client.close();
      }
    });
    expect(growth('mcp_handshakes_total', LEGACY_OK)).toBe(1);
    expect(growth('mcp_requests_total', { era: 'legacy', protocol_version: LEGACY_VERSION })).toBeGreaterThanOrEqual(4);
    expectToolCallsCounted(growth);
    expect(handshakeLogs('e2e-http-v1')).toEqual([
      expect.objectContaining({ handshake: expect.objectContaining({ era: 'legacy', clientName: 'e2e-http-v1', servedProtocolVersion: LEGACY_VERSION }) }),
    ]);
  });

  it('exposes the gauges at rest, the metric types and process metrics on /metrics', async () => {
    const metrics = await scrapeMetrics(server.url);
    expect(metricValue(metrics, 'mcp_inflight_tool_calls')).toBe(0);
    expect(metricValue(metrics, 'mcp_open_streams', { kind: 'streamable-http' })).toBe(0);
    expect(metrics).toMatch(/^# TYPE mcp_tool_call_duration_seconds histogram$/m);
    expect(metrics).toMatch(/^# TYPE mcp_handshakes_total counter$/m);
    expect(metrics).toMatch(/^# TYPE mcp_open_streams gauge$/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);
  });

  it('answers the probes', async () => {
    expect(JSON.parse((await rawRequest(server.url, '/healthz')).body)).toEqual({ status: 'ok' });
    await waitUntilReady(server.url);
    const ready = await rawRequest(server.url, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });
  });

  it('wrote only JSON log lines to stderr and nothing to stdout', () => {
    expect(() => server.logs()).not.toThrow();
    expect(server.stdout()).toBe('');
  });
});

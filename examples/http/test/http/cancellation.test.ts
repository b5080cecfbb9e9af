import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logsWith, startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { metric, modernHeaders, modernToolCallRequest, openRawStream, waitFor, waitForMetric } from '../helpers/http-raw.js';

// A client that cancels a slow call, or goes away, must stop the tool: its signal fires, the
// in-flight gauge drops back and the server says so. Nothing keeps running for nobody.

let server: TestHttpServer;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  server = await startTestHttpServer();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  await server.close();
});

async function v2Client(mode: 'legacy' | 'auto'): Promise<Client> {
  const client = new Client({ name: `cancel-${mode}`, version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url)));
  closers.push(() => client.close());
  return client;
}

async function v1Client(): Promise<V1Client> {
  const client = new V1Client({ name: 'cancel-v1', version: '1.0.0' });
  await client.connect(new V1StreamableHTTPClientTransport(new URL('/mcp', server.url)));
  closers.push(() => client.close());
  return client;
}

const slowCall = { name: 'watch_note', arguments: { note: 'cancel-me', seconds: 30 } };

/**
 * The call is running on the server; then `stop` ends it from the client side. The tool would
 * wait 30 s on its own, so a few seconds tell a stopped call from one left running.
 */
async function expectStoppedOnServer(stop: () => unknown, timeoutMs = 5_000): Promise<void> {
  await waitForMetric(server.url, 'mcp_inflight_tool_calls', {}, 1);
  expect(logsWith(server.logs, 'tool call aborted')).toHaveLength(0);
  await stop();
  await waitForMetric(server.url, 'mcp_inflight_tool_calls', {}, 0, timeoutMs);
  await waitFor(() => logsWith(server.logs, 'tool call aborted').length === 1, {
    timeoutMs,
    describe: () => `a "tool call aborted" log; logs: ${JSON.stringify(server.logs.map((entry) => entry.msg))}`,
  });
  expect(logsWith(server.logs, 'tool call aborted')[0]).toMatchObject({ level: 'info', tool: 'watch_note' });
  expect(await metric(server.url, 'mcp_tool_calls_total', { tool: 'watch_note', outcome: 'error' })).toBe(1);
}

describe('cancelling a slow tool call', () => {
  it('stops the tool when a v2 client (2026-07-28 era) aborts callTool', async () => {
    const client = await v2Client('auto');
    const controller = new AbortController();
    const call = client.callTool(slowCall, { signal: controller.signal });
    call.catch(() => {});

    await expectStoppedOnServer(() => controller.abort(new Error('user pressed stop')));
    await expect(call).rejects.toThrow();
  });

  // A 2025-era client cancels with a separate `notifications/cancelled` POST and leaves the call's
  // stream open; served statelessly, that POST reaches a fresh server instance, so the endpoint
  // itself must route it to the running call (src/http/cancellation.ts).
  it('stops the tool when a v2 client (2025 era) aborts callTool', async () => {
    const client = await v2Client('legacy');
    const controller = new AbortController();
    const call = client.callTool(slowCall, { signal: controller.signal });
    call.catch(() => {});

    await expectStoppedOnServer(() => controller.abort(new Error('user pressed stop')), 2_000);
  });

  // The v1 SDK client cancels the same way.
  it('stops the tool when a v1 SDK client aborts callTool', async () => {
    const client = await v1Client();
    const controller = new AbortController();
    const call = client.callTool(slowCall, undefined, { signal: controller.signal });
    call.catch(() => {});

    await expectStoppedOnServer(() => controller.abort(new Error('user pressed stop')), 2_000);
  });

  it('rejects a cancelled 2025-era call on the client at once', async () => {
    // The part of the 2025-era cancel that works today, so a regression there still shows.
    const client = await v2Client('legacy');
    const controller = new AbortController();
    const call = client.callTool(slowCall, { signal: controller.signal });
    call.catch(() => {});
    await waitForMetric(server.url, 'mcp_inflight_tool_calls', {}, 1);

    controller.abort(new Error('user pressed stop'));
    await expect(call).rejects.toThrow(/user pressed stop/);
  });

  for (const mode of ['legacy', 'auto'] as const) {
    it(`stops the tool when a v2 client (${mode}) closes mid-call`, async () => {
      const client = await v2Client(mode);
      const call = client.callTool(slowCall);
      call.catch(() => {});

      await expectStoppedOnServer(() => client.close());
    });
  }

  it('stops the tool when a 2026-07-28 request connection is dropped before any byte of the answer', async () => {
    // The 2026 era answers a call with one JSON body at the end: no stream, just a pending request.
    const request = openRawStream(server.url, '/mcp', {
      headers: modernHeaders('tools/call', 'watch_note'),
      body: modernToolCallRequest('watch_note', { note: 'cancel-me', seconds: 30 }),
    });
    closers.push(async () => request.destroy());

    await expectStoppedOnServer(() => request.destroy());
  });
});

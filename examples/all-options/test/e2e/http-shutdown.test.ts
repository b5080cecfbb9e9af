import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerProcess } from '../helpers/http-process.js';
import {
  holdRequest,
  initializeRequest,
  legacyHeaders,
  openSlowCall,
  rawRequest,
  waitForMetric,
  type RawStream,
} from '../helpers/http-raw.js';
import { stopAtReady } from '../helpers/server-process.js';

// Graceful shutdown of the built server: on SIGTERM readiness turns 503, new work is refused,
// running calls finish (up to SHUTDOWN_TIMEOUT_MS, then they are aborted), streams close, and
// the exit code is 0.

interface CallResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: unknown;
}

let server: HttpServerProcess | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => {});
  await server?.cleanup();
  server = undefined;
});

async function start(env: Record<string, string> = {}): Promise<HttpServerProcess> {
  server = await startHttpServer(env);
  return server;
}

async function v2Client(url: string, mode: 'legacy' | 'auto', name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url)));
  cleanups.push(() => client.close());
  return client;
}

async function v1Client(url: string, name: string): Promise<V1Client> {
  const client = new V1Client({ name, version: '1.0.0' });
  await client.connect(new V1StreamableHTTPClientTransport(new URL('/mcp', url)));
  cleanups.push(() => client.close());
  return client;
}

describe('graceful shutdown on SIGTERM (built server)', () => {
  it('stops taking work, lets every running call finish with its result, and exits 0', async () => {
    const proc = await start();
    const calls: Promise<CallResult>[] = [];
    const slow = (seconds: number) => ({ name: 'watch_note', arguments: { note: 'drain', seconds } });
    // Two 2025-era v2 clients and two v1 clients, whose answers stream over SSE, and a 2026-07-28
    // client. All connect first and then call together: on a busy machine connecting can take
    // longer than a call, and every call must still be running when the signal arrives.
    const clients: { callTool(params: ReturnType<typeof slow>): Promise<unknown> }[] = [];
    for (let i = 0; i < 2; i++) {
      clients.push(await v2Client(proc.url, 'legacy', `drain-v2-${i}`));
      clients.push(await v1Client(proc.url, `drain-v1-${i}`));
    }
    const modern = await v2Client(proc.url, 'auto', 'drain-modern');
    for (const client of clients) calls.push(client.callTool(slow(3)) as Promise<CallResult>);
    // The modern client's call runs longest, so it is the one that finishes the drain.
    calls.push(modern.callTool(slow(4)) as Promise<CallResult>);
    for (const call of calls) call.catch(() => {});
    await waitForMetric(proc.url, 'mcp_inflight_tool_calls', {}, 5);

    // Requests already on their way when the signal arrives (their connections are busy, so the
    // server keeps them): they see the draining answers.
    const readyz = await holdRequest(proc.url, '/readyz');
    const healthz = await holdRequest(proc.url, '/healthz');
    const newWork = await holdRequest(proc.url, '/mcp', { headers: { accept: legacyHeaders.accept }, body: initializeRequest('late-client') });
    cleanups.push(() => [readyz, healthz, newWork].forEach((held) => held.destroy()));
    // One full round trip and a moment more, so the server has read the held requests' first
    // bytes (a connection that sent nothing yet counts as idle and is closed on shutdown).
    expect((await rawRequest(proc.url, '/healthz')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));

    proc.child.kill('SIGTERM');
    await proc.waitForLog('shutting down');

    const ready = await readyz.finish();
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
    const live = await healthz.finish();
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toEqual({ status: 'ok' });
    const refused = await newWork.finish();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(JSON.parse(refused.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringContaining('shutting down') }, id: null });

    const results = await Promise.all(calls);
    for (const result of results) {
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ note: 'drain', entry: null });
    }

    expect(await proc.waitForExit()).toEqual({ code: 0, signal: null });
    expect(proc.logged('waiting for in-flight tool calls')[0]).toMatchObject({ inFlight: 5 });
    expect(proc.logged('shutdown complete')).toHaveLength(1);
    expect(proc.logged('aborting a tool call still running at the shutdown deadline')).toHaveLength(0);
    expect(proc.logged('tool call aborted')).toHaveLength(0);
  });

  it('aborts calls still running at SHUTDOWN_TIMEOUT_MS, answers or closes their streams, and still exits 0', async () => {
    const proc = await start({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const modern = await v2Client(proc.url, 'auto', 'deadline-modern');
    const modernCall = modern.callTool({ name: 'watch_note', arguments: { note: 'deadline', seconds: 30 } }) as Promise<CallResult>;
    modernCall.catch(() => {});
    const streams: RawStream[] = [openSlowCall(proc.url, 30, 'deadline'), openSlowCall(proc.url, 30, 'deadline')];
    cleanups.push(() => streams.forEach((stream) => stream.destroy()));
    await waitForMetric(proc.url, 'mcp_inflight_tool_calls', {}, 3);

    proc.child.kill('SIGTERM');

    expect(await proc.waitForExit()).toEqual({ code: 0, signal: null });
    const aborting = proc.logged('aborting a tool call still running at the shutdown deadline');
    expect(aborting).toHaveLength(3);
    expect(aborting.every((line) => line.level === 'warn' && line.tool === 'watch_note')).toBe(true);
    expect(proc.logged('tool call aborted')).toHaveLength(3);
    expect(proc.logged('shutdown complete')).toHaveLength(1);

    // The 2026 client gets a tool error saying the call was cancelled.
    const result = await modernCall;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/cancelled/);
    // A streamed call ends with the cancelled result or the server's closing event; either way
    // the stream is over, not left hanging.
    for (const stream of streams) {
      await stream.closed;
      const last = stream.events().at(-1);
      const cancelledResult = last?.event === 'message' && /"isError":true/.test(last.data) && /cancelled/.test(last.data);
      const closedForShutdown = last?.event === 'close' && last.data === '{"reason":"shutdown"}';
      expect(cancelledResult || closedForShutdown, `last event: ${JSON.stringify(last)}`).toBe(true);
    }
  });

  // The signal handlers must be in place before the server says it listens: a supervisor (or a
  // rolling update) may stop it at once. Several tries, because the window it guards is short.
  it('exits 0 on a SIGTERM sent the moment it logs "listening", every time', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const { stderr, ...exit } = await stopAtReady({ transport: 'http' });
      expect(exit, `attempt ${attempt}; stderr:\n${stderr}`).toEqual({ code: 0, signal: null });
    }
  }, 180_000);

  it('exits at once, non-zero, on a second SIGTERM during the drain', async () => {
    const proc = await start();
    const stream = openSlowCall(proc.url, 30, 'impatient');
    cleanups.push(() => stream.destroy());
    await waitForMetric(proc.url, 'mcp_inflight_tool_calls', {}, 1);

    proc.child.kill('SIGTERM');
    await proc.waitForLog('waiting for in-flight tool calls');
    proc.child.kill('SIGTERM');

    const exit = await proc.waitForExit();
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(proc.logged('second signal: exiting now')).toHaveLength(1);
    expect(proc.logged('shutdown complete')).toHaveLength(0);
  });

  // The listening socket stays open while draining: a probe on a new connection must get
  // `/readyz` 503 and `/healthz` 200 (not ECONNREFUSED, which would fail liveness too).
  it('keeps answering probes on new connections during the drain', async () => {
    const proc = await start();
    const stream = openSlowCall(proc.url, 2, 'probe-drain');
    cleanups.push(() => stream.destroy());
    await waitForMetric(proc.url, 'mcp_inflight_tool_calls', {}, 1);

    proc.child.kill('SIGTERM');
    await proc.waitForLog('waiting for in-flight tool calls');

    const ready = await rawRequest(proc.url, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
    expect((await rawRequest(proc.url, '/healthz')).status).toBe(200);
    expect((await rawRequest(proc.url, '/mcp', { headers: legacyHeaders, body: initializeRequest() })).status).toBe(503);
  });

  // The last call's handler returns just before the SDK writes its result to the SSE stream:
  // the shutdown must let that result out before closing the stream.
  it('delivers the result of the call that finishes the drain when it is streamed', async () => {
    const proc = await start();
    const stream = openSlowCall(proc.url, 1, 'last');
    cleanups.push(() => stream.destroy());
    await waitForMetric(proc.url, 'mcp_inflight_tool_calls', {}, 1);

    proc.child.kill('SIGTERM');
    await stream.closed;

    expect(await proc.waitForExit()).toEqual({ code: 0, signal: null });
    const messages = stream.events().filter((event) => event.event === 'message');
    expect(messages.map((event) => JSON.parse(event.data) as unknown)).toEqual([
      expect.objectContaining({
        result: { content: [{ type: 'text', text: '{"note":"last","entry":null}' }], structuredContent: { note: 'last', entry: null } },
      }),
    ]);
  });
});

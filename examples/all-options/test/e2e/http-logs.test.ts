import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerProcess } from '../helpers/http-process.js';
import { openSlowCall, waitForMetric, type RawStream } from '../helpers/http-raw.js';

// Logs are JSON lines on stderr only, also under load: an operator's log pipeline parses every line.

let server: HttpServerProcess | undefined;
let streams: RawStream[] = [];

afterEach(async () => {
  for (const stream of streams) stream.destroy();
  streams = [];
  await server?.cleanup();
  server = undefined;
});

describe('stderr under concurrent slow calls (built server)', () => {
  it('serves 20 concurrent watch_note calls to completion', async () => {
    server = await startHttpServer();
    streams = Array.from({ length: 20 }, (_, i) => openSlowCall(server?.url ?? '', 1, `many-${i}`));
    await waitForMetric(server.url, 'mcp_inflight_tool_calls', {}, 20);
    await Promise.all(streams.map((stream) => stream.closed));
    for (const stream of streams) expect(stream.text()).toMatch(/"structuredContent":\{"note":"many-\d+","entry":null\}/);
    await waitForMetric(server.url, 'mcp_inflight_tool_calls', {}, 0);
  });

  // Many concurrent watchers must not make Node print a plain-text warning (an EventEmitter's
  // MaxListenersExceededWarning, for instance): stderr carries JSON log lines only.
  it('writes only JSON lines to stderr with 11 watchers at once', async () => {
    server = await startHttpServer();
    streams = Array.from({ length: 11 }, (_, i) => openSlowCall(server?.url ?? '', 1, `eleven-${i}`));
    await waitForMetric(server.url, 'mcp_inflight_tool_calls', {}, 11);
    await Promise.all(streams.map((stream) => stream.closed));

    await server.stop();
    expect(() => server?.logs()).not.toThrow();
    expect(server.stderr()).not.toMatch(/MaxListenersExceededWarning/);
  });
});

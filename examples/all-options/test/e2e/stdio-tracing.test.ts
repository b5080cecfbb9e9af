import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDeadCollector, startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { callerContext } from '../helpers/tracing.js';
import { logLines, spawnServer, tempDataDir } from './server-process.js';

// The built server exports its spans through the real OTLP/HTTP exporter to a collector on
// loopback. The batch processor holds spans for seconds; a SIGTERM right after the call must
// still deliver them, parented on the context the client sent in `_meta`.

let data: ReturnType<typeof tempDataDir>;
let receiver: OtlpReceiver;
beforeEach(async () => {
  data = tempDataDir();
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  data.cleanup();
  await receiver.close();
});

function send(server: ReturnType<typeof spawnServer>, message: object): void {
  server.child.stdin.write(`${JSON.stringify(message)}\n`);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'trace-e2e', version: '1' } },
};

/** initialize, then one traced `tools/call`; resolves once its response is on stdout. */
async function tracedCall(server: ReturnType<typeof spawnServer>, traceparent: string): Promise<void> {
  send(server, initialize);
  send(server, { jsonrpc: '2.0', method: 'notifications/initialized' });
  send(server, {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'append_note', arguments: { note: 'traced', text: 'x' }, _meta: { traceparent } },
  });
  await waitFor(() => server.stdout().includes('"id":1'), 'the tools/call response');
}

describe('tracing over stdio, exported by OTLP/HTTP', () => {
  it('delivers the tools/call span, parented on _meta, when SIGTERM follows the call', async () => {
    const caller = callerContext();
    const server = spawnServer({
      DATA_DIR: data.dir,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'notes-e2e',
      LOG_LEVEL: 'debug',
    });
    await server.waitForLog('server started');
    await tracedCall(server, caller.traceparent);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const span = receiver.spans().find((candidate) => candidate.name === 'tools/call append_note');
    expect(span).toMatchObject({
      traceId: caller.traceId,
      parentSpanId: caller.spanId,
      kind: 2, // SERVER
      resource: { 'service.name': 'notes-e2e' },
      attributes: { 'mcp.method.name': 'tools/call', 'network.transport': 'pipe', 'mcp.protocol.version': '2025-11-25' },
    });
    expect(receiver.metricNames()).toContain('mcp.server.operation.duration');
    // Logs written inside the call carry its ids; stdout stayed pure JSON-RPC.
    const finished = logLines(server.stderr()).find((line) => line.msg === 'tool call finished');
    expect(finished).toMatchObject({ trace_id: caller.traceId, span_id: span?.spanId });
    for (const line of server.stdout().split('\n').filter((text) => text !== '')) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  });

  it('sends protobuf by default (OTEL_EXPORTER_OTLP_PROTOCOL unset)', async () => {
    const caller = callerContext();
    const server = spawnServer({ DATA_DIR: data.dir, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    await server.waitForLog('server started');
    await tracedCall(server, caller.traceparent);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const traces = receiver.requests.filter((request) => request.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]?.contentType).toBe('application/x-protobuf');
    // Protobuf carries the trace id as 16 raw bytes.
    expect(traces.some((request) => request.body.includes(Buffer.from(caller.traceId, 'hex')))).toBe(true);
  });

  it('still exits 0 when the collector never answers, giving up at SHUTDOWN_TIMEOUT_MS', async () => {
    const dead = await startDeadCollector();
    try {
      const server = spawnServer({ DATA_DIR: data.dir, OTEL_EXPORTER_OTLP_ENDPOINT: dead.url, SHUTDOWN_TIMEOUT_MS: '1000' });
      await server.waitForLog('server started');
      await tracedCall(server, callerContext().traceparent);
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
      expect(logLines(server.stderr()).map((line) => line.msg)).toContain('telemetry not flushed before the shutdown deadline; exiting without it');
    } finally {
      await dead.close();
    }
  });
});

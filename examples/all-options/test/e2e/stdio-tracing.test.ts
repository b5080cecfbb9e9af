import { afterEach, describe, expect, it } from 'vitest';
import { startDeadCollector, useOtlpReceiver } from '../helpers/otlp-receiver.js';
import { handshakeOverStdio, startServer, type ServerProcess } from '../helpers/server-process.js';
import { callerContext } from '../helpers/tracing.js';

// The built server exports its spans through the real OTLP/HTTP exporter to a collector on
// loopback. The batch processor holds spans for seconds; a SIGTERM right after the call must
// still deliver them, parented on the context the client sent in `_meta`.

const receiver = useOtlpReceiver();
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

/** initialize, then one traced `tools/call`; resolves once its response is on stdout. */
async function tracedCall(server: ServerProcess, traceparent: string): Promise<void> {
  handshakeOverStdio(server, 'trace-e2e');
  server.send({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'append_note', arguments: { note: 'traced', text: 'x' }, _meta: { traceparent } },
  });
  await server.response(1);
}

describe('tracing over stdio, exported by OTLP/HTTP', () => {
  it('delivers the tools/call span, parented on _meta, when SIGTERM follows the call', async () => {
    const caller = callerContext();
    server = await startServer({
      transport: 'stdio',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'notes-e2e', LOG_LEVEL: 'debug' },
    });
    await tracedCall(server, caller.traceparent);
    expect((await server.stop()).code).toBe(0);

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
    const [finished] = server.logged('tool call finished');
    expect(finished).toMatchObject({ trace_id: caller.traceId, span_id: span?.spanId });
    for (const line of server.stdout().split('\n').filter((text) => text !== '')) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  });

  it('sends protobuf by default (OTEL_EXPORTER_OTLP_PROTOCOL unset)', async () => {
    const caller = callerContext();
    server = await startServer({ transport: 'stdio', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    await tracedCall(server, caller.traceparent);
    expect((await server.stop()).code).toBe(0);

    const traces = receiver.requests.filter((request) => request.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]?.contentType).toBe('application/x-protobuf');
    // Protobuf carries the trace id as 16 raw bytes.
    expect(traces.some((request) => request.body.includes(Buffer.from(caller.traceId, 'hex')))).toBe(true);
  });

  it('still exits 0 when the collector never answers, giving up at SHUTDOWN_TIMEOUT_MS', async () => {
    const dead = await startDeadCollector();
    try {
      server = await startServer({ transport: 'stdio', env: { OTEL_EXPORTER_OTLP_ENDPOINT: dead.url, SHUTDOWN_TIMEOUT_MS: '1000' } });
      await tracedCall(server, callerContext().traceparent);
      expect((await server.stop()).code).toBe(0);
      expect(server.logged('telemetry not flushed before the shutdown deadline; exiting without it')).toHaveLength(1);
    } finally {
      await dead.close();
    }
  });
});

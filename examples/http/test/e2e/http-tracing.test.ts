import { describe, expect, it } from 'vitest';
import { useOtlpReceiver } from '../helpers/otlp-receiver.js';
import { callerContext } from '../helpers/tracing.js';
import { startHttpServer } from '../helpers/http-process.js';
import { envelope, initializeRequest, LEGACY_VERSION, legacyHeaders, MODERN_VERSION, modernHeaders, rawRequest, toolCallRequest } from '../helpers/http-raw.js';

// The built server over Streamable HTTP, both protocol eras, exporting through the real OTLP/HTTP
// exporter to a collector on loopback; SIGTERM right after the calls still delivers their spans.

const receiver = useOtlpReceiver();

describe('tracing over Streamable HTTP, exported by OTLP/HTTP', () => {
  it('delivers a span per era, parented on _meta, when SIGTERM follows the calls', async () => {
    const server = await startHttpServer({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    const modern = callerContext();
    const legacy = callerContext();
    const transport = callerContext();

    const modernResponse = await rawRequest(server.url, '/mcp', {
      headers: { ...modernHeaders('tools/call', 'append_note'), traceparent: transport.traceparent },
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'append_note', arguments: { note: 'modern', text: 'x' }, _meta: { ...envelope('trace-e2e'), traceparent: modern.traceparent } },
      },
    });
    expect(modernResponse.status).toBe(200);
    await rawRequest(server.url, '/mcp', { headers: legacyHeaders, body: initializeRequest('trace-e2e') });
    const call = toolCallRequest('search_notes', { query: 'x' });
    const legacyResponse = await rawRequest(server.url, '/mcp', {
      headers: legacyHeaders,
      body: { ...call, params: { ...call.params, _meta: { traceparent: legacy.traceparent } } },
    });
    expect(legacyResponse.status).toBe(200);
    expect((await server.stop()).code).toBe(0);

    const spans = receiver.spans();
    expect(spans.find((span) => span.traceId === modern.traceId)).toMatchObject({
      name: 'tools/call append_note',
      parentSpanId: modern.spanId,
      links: [{ traceId: transport.traceId, spanId: transport.spanId }],
      attributes: { 'mcp.protocol.version': MODERN_VERSION, 'network.transport': 'tcp' },
    });
    expect(spans.find((span) => span.traceId === legacy.traceId)).toMatchObject({
      name: 'tools/call search_notes',
      parentSpanId: legacy.spanId,
      attributes: { 'mcp.protocol.version': LEGACY_VERSION, 'network.transport': 'tcp' },
    });
    expect(receiver.metricNames()).toContain('mcp.server.operation.duration');
  });
});

import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callerContext, useTestTracing } from '../helpers/tracing.js';
import { startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import {
  envelope,
  initializeRequest,
  LEGACY_VERSION,
  legacyHeaders,
  metric,
  MODERN_VERSION,
  modernHeaders,
  rawRequest,
  toolCallRequest,
} from '../helpers/http-raw.js';

// Over Streamable HTTP, in both protocol eras, the MCP span is parented on `params._meta`; the
// HTTP request's own `traceparent` describes the transport, so it becomes a link when it differs.

const tracer = useTestTracing();
let server: TestHttpServer;

beforeEach(async () => {
  tracer.reset();
  server = await startTestHttpServer({}, { tracing: tracer.tracing });
});

afterEach(async () => {
  await server.close();
});

let nextId = 1000;

function modernCall(name: string, args: Record<string, unknown>, meta: Record<string, string>) {
  return { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args, _meta: { ...envelope('trace-test'), ...meta } } };
}

describe('Streamable HTTP spans', () => {
  it('2026-07-28: parents on _meta, links the different HTTP traceparent, records the envelope version', async () => {
    const caller = callerContext();
    const transport = callerContext();
    const response = await rawRequest(server.url, '/mcp', {
      headers: { ...modernHeaders('tools/call', 'append_note'), traceparent: transport.traceparent },
      body: modernCall('append_note', { note: 'modern', text: 'x' }, { traceparent: caller.traceparent }),
    });
    expect(response.status).toBe(200);

    const span = tracer.span('tools/call append_note');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(caller.traceId);
    expect(span.parentSpanContext?.spanId).toBe(caller.spanId);
    expect(span.links.map((link) => link.context.spanId)).toEqual([transport.spanId]);
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'mcp.protocol.version': MODERN_VERSION,
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
      'gen_ai.tool.name': 'append_note',
    });
  });

  it('2025 era: parents on _meta and records the version the client negotiated', async () => {
    const caller = callerContext();
    await rawRequest(server.url, '/mcp', { headers: legacyHeaders, body: initializeRequest('trace-test') });
    const call = toolCallRequest('append_note', { note: 'legacy', text: 'x' });
    const response = await rawRequest(server.url, '/mcp', {
      headers: legacyHeaders,
      body: { ...call, params: { ...call.params, _meta: { traceparent: caller.traceparent } } },
    });
    expect(response.status).toBe(200);

    expect(tracer.span('initialize').attributes['mcp.protocol.version']).toBe(LEGACY_VERSION);
    const span = tracer.span('tools/call append_note');
    expect(span.parentSpanContext?.spanId).toBe(caller.spanId);
    expect(span.links).toEqual([]);
    expect(span.attributes['mcp.protocol.version']).toBe(LEGACY_VERSION);
  });

  it('falls back to the HTTP traceparent as the parent when _meta carries none', async () => {
    const transport = callerContext();
    await rawRequest(server.url, '/mcp', {
      headers: { ...modernHeaders('tools/call', 'append_note'), traceparent: transport.traceparent },
      body: modernCall('append_note', { note: 'header-only', text: 'x' }, {}),
    });
    const span = tracer.span('tools/call append_note');
    expect(span.parentSpanContext?.spanId).toBe(transport.spanId);
    expect(span.links).toEqual([]);
  });
});

describe('mcp_server_operation_duration_seconds on /metrics', () => {
  it('counts each operation by method and known tool, never by a name the client made up', async () => {
    await rawRequest(server.url, '/mcp', {
      headers: modernHeaders('tools/call', 'append_note'),
      body: modernCall('append_note', { note: 'metrics', text: 'x' }, {}),
    });
    await rawRequest(server.url, '/mcp', {
      headers: modernHeaders('tools/call', 'no_such_tool_9f3a'),
      body: modernCall('no_such_tool_9f3a', {}, {}),
    });

    const count = 'mcp_server_operation_duration_seconds_count';
    expect(await metric(server.url, count, { mcp_method_name: 'tools/call', gen_ai_tool_name: 'append_note' })).toBe(1);
    expect(await metric(server.url, count, { mcp_method_name: 'tools/call', gen_ai_tool_name: '_OTHER' })).toBe(1);
    const text = (await rawRequest(server.url, '/metrics')).body;
    expect(text).not.toContain('no_such_tool_9f3a');
    // The conventions' bucket bounds, up to five minutes.
    expect(text).toMatch(/mcp_server_operation_duration_seconds_bucket\{le="300",mcp_method_name="tools\/call"/);
  });
});

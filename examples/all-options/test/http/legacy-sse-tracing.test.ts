import { afterEach, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { initializeRequest, LEGACY_VERSION, openRawStream, rawRequest, toolCallRequest, waitFor, type RawStream } from '../helpers/http-raw.js';
import { callerContext, useTestTracing } from '../helpers/tracing.js';

// Legacy HTTP+SSE (2024-11-05 clients): requests arrive on POST /messages and answers leave on the
// session's stream; the span still covers the request, parented on `_meta`, in the session.

const tracer = useTestTracing();
let server: TestHttpServer | undefined;
let stream: RawStream | undefined;

afterEach(async () => {
  stream?.destroy();
  await server?.close();
  tracer.reset();
});

describe('legacy SSE spans', () => {
  it('parents a tool call on _meta, links the POST’s traceparent, and names the session', async () => {
    server = await startTestHttpServer({}, { tracing: tracer.tracing });
    const { url } = server;
    stream = openRawStream(url, '/sse', { headers: { accept: 'text/event-stream' } });
    const opened = stream;
    const endpoint = await waitFor(() => opened.events().find((event) => event.event === 'endpoint')?.data);
    const sessionId = new URL(endpoint, url).searchParams.get('sessionId');

    expect((await rawRequest(url, endpoint, { body: initializeRequest('sse-trace-test') })).status).toBe(202);
    await rawRequest(url, endpoint, { body: { jsonrpc: '2.0', method: 'notifications/initialized' } });
    const caller = callerContext();
    const transport = callerContext();
    const call = toolCallRequest('append_note', { note: 'legacy-sse', text: 'x' });
    const posted = await rawRequest(url, endpoint, {
      headers: { traceparent: transport.traceparent },
      body: { ...call, params: { ...call.params, _meta: { traceparent: caller.traceparent } } },
    });
    expect(posted.status).toBe(202);

    const span = await waitFor(() => tracer.spans().find((candidate) => candidate.name === 'tools/call append_note'));
    expect(span.parentSpanContext?.spanId).toBe(caller.spanId);
    expect(span.spanContext().traceId).toBe(caller.traceId);
    expect(span.links.map((link) => link.context.spanId)).toEqual([transport.spanId]);
    expect(span.attributes).toMatchObject({
      'mcp.session.id': sessionId,
      'mcp.protocol.version': LEGACY_VERSION,
      'network.transport': 'tcp',
      'jsonrpc.request.id': String(call.id),
    });
  });
});

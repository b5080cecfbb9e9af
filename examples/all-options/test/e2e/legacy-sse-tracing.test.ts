import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../helpers/http-process.js';
import { useOtlpReceiver } from '../helpers/otlp-receiver.js';
import { callerContext } from '../helpers/tracing.js';

// The built server's legacy HTTP+SSE endpoints with a real SSE client, exporting through the real
// OTLP/HTTP exporter; SIGTERM while the session is still open still delivers the call's span.

const receiver = useOtlpReceiver();

describe('tracing over legacy HTTP+SSE, exported by OTLP/HTTP', () => {
  it('delivers the tools/call span, parented on _meta, in its session', async () => {
    const server = await startHttpServer({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    const caller = callerContext();
    const client = new Client({ name: 'trace-e2e-sse', version: '1.0.0' });
    const transport = new SSEClientTransport(new URL('/sse', server.url));
    await client.connect(transport);
    const negotiated = client.getNegotiatedProtocolVersion();
    expect(negotiated).toBeDefined();
    try {
      const result = await client.callTool({ name: 'append_note', arguments: { note: 'sse', text: 'x' }, _meta: { traceparent: caller.traceparent } });
      expect(result.isError).toBeFalsy();
      expect((await server.stop()).code).toBe(0);
    } finally {
      await client.close().catch(() => undefined);
    }

    expect(receiver.spans().find((span) => span.traceId === caller.traceId)).toMatchObject({
      name: 'tools/call append_note',
      parentSpanId: caller.spanId,
      attributes: {
        'mcp.method.name': 'tools/call',
        'network.transport': 'tcp',
        'mcp.session.id': expect.any(String),
        'mcp.protocol.version': negotiated,
      },
    });
  });
});

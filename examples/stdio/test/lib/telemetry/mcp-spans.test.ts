import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type McpServerFactory } from '@modelcontextprotocol/server';
import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { serverFactoryFor } from '../../../src/app.js';
import { instrumentServerFactory } from '../../../src/lib/telemetry/mcp-spans.js';
import type { Tracing } from '../../../src/lib/telemetry/index.js';
import { OperationFeed, type OperationRecord } from '../../../src/lib/telemetry/operations.js';
import { createServerFactory } from '../../../src/server.js';
import { registerTool } from '../../../src/tools/register.js';
import { defineTool, textResult } from '../../../src/tools/tool.js';
import { captureLogs } from '../../helpers/log-capture.js';
import { createTestServices, type TestServices } from '../../helpers/services.js';
import { callerContext, useTestTracing } from '../../helpers/tracing.js';

// Every MCP request gets a SERVER span named and described as the OpenTelemetry MCP semantic
// conventions say, parented on the W3C context the client put in `params._meta`.

const tracer = useTestTracing();
let services: TestServices;
let client: Client | undefined;
let operations: OperationRecord[];

beforeEach(async () => {
  tracer.reset();
  operations = [];
  services = await createTestServices();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await services.cleanup();
});

async function connect(factory: McpServerFactory): Promise<Client> {
  const server = await factory({ era: 'legacy' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'span-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** What app.ts reports as `network.transport` for the transport the server is configured with. */
function configuredNetwork(): 'pipe' | 'tcp' {
  return (services.config.transport as string) === 'stdio' ? 'pipe' : 'tcp';
}

/** The generated server's own factory, as app.ts builds it, over an in-memory pipe; `undefined`: tracing off. */
function connectTraced(tracing: Tracing | undefined): Promise<Client> {
  const feed = new OperationFeed();
  feed.observe((operation) => operations.push(operation));
  return connect(serverFactoryFor(services, tracing, feed));
}

describe('MCP server spans', () => {
  it('names a tool call after method and tool, parents it on _meta.traceparent, with the conventions’ attributes', async () => {
    const caller = callerContext();
    const mcp = await connectTraced(tracer.tracing);
    await mcp.callTool({ name: 'append_note', arguments: { note: 'traced', text: 'secret text' }, _meta: { traceparent: caller.traceparent } });

    const span = tracer.span('tools/call append_note');
    expect(mcp.getNegotiatedProtocolVersion()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(caller.traceId);
    expect(span.parentSpanContext?.spanId).toBe(caller.spanId);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'append_note',
      'gen_ai.operation.name': 'execute_tool',
      'network.transport': configuredNetwork(),
      'mcp.protocol.version': mcp.getNegotiatedProtocolVersion(),
      'jsonrpc.request.id': expect.any(String),
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
    // Arguments and results stay off spans unless the operator opts in.
    expect(JSON.stringify(span.attributes)).not.toContain('secret text');
  });

  it('gives every request its own span, without a parent when the client sent no context', async () => {
    const mcp = await connectTraced(tracer.tracing);
    await mcp.listTools();
    await mcp.readResource({ uri: 'docs://tools/append_note' });
    await mcp.getPrompt({ name: 'review_note', arguments: { note: 'x' } }).catch(() => undefined);

    expect(tracer.span('initialize').attributes).toMatchObject({ 'mcp.method.name': 'initialize', 'mcp.protocol.version': expect.any(String) });
    expect(tracer.span('tools/list').parentSpanContext).toBeUndefined();
    expect(tracer.span('resources/read').attributes).toMatchObject({ 'mcp.resource.uri': 'docs://tools/append_note' });
    expect(tracer.span('prompts/get review_note').attributes).toMatchObject({ 'gen_ai.prompt.name': 'review_note' });
    expect(tracer.span('notifications/initialized').attributes['jsonrpc.request.id']).toBeUndefined();
  });

  it('carries tracestate and baggage into the tool, and nests the tool’s own spans and log lines under the call', async () => {
    const caller = callerContext();
    const { logger, entries } = captureLogs('debug');
    const seen: { baggage?: string | undefined } = {};
    const probe = defineTool({
      name: 'probe',
      toolset: 'test',
      title: 'Probe',
      description: 'Does traced work.',
      inputSchema: z.object({}),
      docs: '# probe',
      async run(_input, { logger: toolLogger }) {
        seen.baggage = propagation.getActiveBaggage()?.getEntry('tenant')?.value;
        await trace.getTracer('tool').startActiveSpan('probe work', async (span) => {
          toolLogger.info('working');
          span.end();
        });
        return textResult('done');
      },
    });
    const base = createServerFactory({ ...services, logger });
    const withProbe: McpServerFactory = async (ctx) => {
      const server = await base(ctx);
      registerTool(server as Parameters<typeof registerTool>[0], probe, { ...services, logger });
      return server;
    };
    const mcp = await connect(instrumentServerFactory(withProbe, { network: 'pipe', tracing: tracer.tracing, toolNames: ['probe'] }));
    await mcp.callTool({ name: 'probe', arguments: {}, _meta: { traceparent: caller.traceparent, tracestate: 'vendor=abc', baggage: 'tenant=acme' } });

    const call = tracer.span('tools/call probe');
    const work = tracer.span('probe work');
    expect(work.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(work.spanContext().traceId).toBe(caller.traceId);
    expect(call.spanContext().traceState?.get('vendor')).toBe('abc');
    expect(seen.baggage).toBe('acme');
    const line = entries.find((entry) => entry.msg === 'working');
    expect(line).toMatchObject({ trace_id: caller.traceId, span_id: work.spanContext().spanId });
    const finished = entries.find((entry) => entry.msg === 'tool call finished');
    expect(finished).toMatchObject({ trace_id: caller.traceId, span_id: call.spanContext().spanId });
  });

  it('marks a tool error with error.type tool_error and a JSON-RPC error with its code, status ERROR', async () => {
    const mcp = await connectTraced(tracer.tracing);
    const refused = await mcp.callTool({ name: 'append_note', arguments: { note: '../escape', text: 'x' } });
    expect(refused.isError).toBe(true);
    await expect(mcp.request({ method: 'no/such-method', params: {} }, z.object({}))).rejects.toThrow();

    const toolSpan = tracer.span('tools/call append_note');
    expect(toolSpan.attributes['error.type']).toBe('tool_error');
    expect(toolSpan.status.code).toBe(SpanStatusCode.ERROR);
    const unknown = tracer.span('no/such-method');
    expect(unknown.attributes).toMatchObject({ 'error.type': '-32601', 'rpc.response.status_code': '-32601' });
    expect(unknown.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('not found') });
  });

  it('records arguments and results only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT opts in', async () => {
    const mcp = await connectTraced({ ...tracer.tracing, captureContent: true });
    await mcp.callTool({ name: 'append_note', arguments: { note: 'opted', text: 'visible' } });
    const span = tracer.span('tools/call append_note');
    expect(JSON.parse(String(span.attributes['gen_ai.tool.call.arguments']))).toEqual({ note: 'opted', text: 'visible' });
    expect(String(span.attributes['gen_ai.tool.call.result'])).toContain('notes://note/opted');
  });
});

describe('operation durations', () => {
  it('are measured for every request with tracing off, and no span is made', async () => {
    const mcp = await connectTraced(undefined);
    await mcp.callTool({ name: 'append_note', arguments: { note: 'untraced', text: 'x' } });
    await mcp.callTool({ name: 'made_up_tool', arguments: {} }).catch(() => undefined);

    expect(tracer.spans()).toEqual([]);
    const call = operations.find((operation) => operation.method === 'tools/call' && operation.toolName === 'append_note');
    expect(call).toMatchObject({ network: configuredNetwork(), errorType: undefined });
    expect(call?.seconds).toBeGreaterThanOrEqual(0);
    // A client's made-up names never become label values.
    const madeUp = operations.find((operation) => operation.method === 'tools/call' && operation.toolName !== 'append_note');
    expect(madeUp?.toolName).toBe('_OTHER');
    expect(madeUp?.errorType).toBeDefined();
    expect(operations.map((operation) => operation.method)).toEqual(expect.arrayContaining(['initialize', 'notifications/initialized']));
  });

  it('labels an unknown method _OTHER', async () => {
    const mcp = await connectTraced(tracer.tracing);
    await expect(mcp.request({ method: 'x/'.repeat(40), params: {} }, z.object({}))).rejects.toThrow();
    expect(operations.at(-1)).toMatchObject({ method: '_OTHER', errorType: '-32601' });
  });
});

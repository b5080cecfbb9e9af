import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TextMapGetter,
} from '@opentelemetry/api';
import {
  PROTOCOL_VERSION_META_KEY,
  type JSONRPCMessage,
  type McpServerFactory,
  type RequestId,
  type Transport,
} from '@modelcontextprotocol/server';
import { isResponse, respondsTo } from '../jsonrpc.js';
import { onServerConnect } from '../transport-tap.js';
import type { Tracing } from './index.js';
import { methodLabel, OperationDurationMetric, toolLabel, type OperationObserver } from './operations.js';

export interface InstrumentOptions {
  /** `pipe` for stdio, `tcp` for HTTP (the conventions' `network.transport`). */
  network: 'pipe' | 'tcp';
  /** Present when tracing is on; without it no span is made, only durations are measured. */
  tracing?: Tracing | undefined;
  /** The tools this server has: metrics label only these names. */
  toolNames: readonly string[];
  /** Sees every finished operation (the HTTP transport feeds `/metrics`). */
  onOperation?: OperationObserver | undefined;
}

/**
 * Wraps a server factory so that every MCP request and notification, on every transport and in
 * both protocol eras, gets a SERVER span and a duration measurement. Every transport (stdio,
 * Streamable HTTP in either era, legacy SSE) hands the SDK's server a transport through
 * `connect`: this observes that transport's messages in place (its own object, so nothing the SDK
 * reads from it changes) and runs each message's handler inside its span, so a tool's own spans
 * and log lines nest under it.
 */
export function instrumentServerFactory(factory: McpServerFactory, options: InstrumentOptions): McpServerFactory {
  const shared: Shared = {
    options,
    knownTools: new Set(options.toolNames),
    durationMetric: new OperationDurationMetric(),
  };
  return onServerConnect(factory, (transport, ctx) => observeTransport(transport, shared, ctx.requestInfo));
}

interface Shared {
  options: InstrumentOptions;
  knownTools: ReadonlySet<string>;
  durationMetric: OperationDurationMetric;
}

/** One request or notification between its arrival and its response. */
interface Operation {
  method: string;
  toolName: string | undefined;
  started: number;
  span: Span | undefined;
  /** The context its handler runs in: the span's, when there is one. */
  context: Context;
  /** Arguments and result go on the span only when the operator opted in. */
  captureContent: boolean;
  /** Whether `mcp.protocol.version` was known when the request arrived. */
  versionKnown: boolean;
}

interface Outcome {
  errorType?: string;
  message?: string;
  attributes: Attributes;
}

function observeTransport(transport: Transport, shared: Shared, connectionRequest: Request | undefined): void {
  const handler = transport.onmessage;
  if (!handler) return;
  const pending = new Map<RequestId, Operation>();
  // A 2025-era connection (stdio, legacy SSE) fixes its version in `initialize`; later requests inherit it.
  let negotiatedVersion: string | undefined;

  transport.onmessage = (message, extra) => {
    if (isResponse(message)) return handler(message, extra);
    const request = extra?.request ?? connectionRequest;
    const operation = safely(() => begin(message, shared, { request, negotiatedVersion, sessionId: transport.sessionId }));
    if (!operation) return handler(message, extra);
    if (message.method === 'notifications/cancelled') safely(() => cancel(pending, message, shared));
    const id = 'id' in message ? message.id : undefined;
    if (id === undefined) {
      // A notification has no response: its span covers the dispatch to its handler.
      try {
        return context.with(operation.context, () => handler(message, extra));
      } finally {
        safely(() => finish(operation, shared, { attributes: {} }));
      }
    }
    pending.set(id, operation);
    return context.with(operation.context, () => handler(message, extra));
  };

  const send = transport.send.bind(transport);
  transport.send = (message, sendOptions) => {
    const id = respondsTo(message);
    const operation = id === undefined ? undefined : pending.get(id);
    if (operation && id !== undefined) {
      pending.delete(id);
      safely(() => {
        const outcome = outcomeOf(message, operation);
        const version = outcome.attributes['mcp.protocol.version'];
        if (operation.method === 'initialize' && typeof version === 'string') negotiatedVersion = version;
        // Clients pipeline requests behind `initialize`: one that arrived before its answer ran under the version it settled.
        if (!operation.versionKnown && negotiatedVersion !== undefined) outcome.attributes['mcp.protocol.version'] ??= negotiatedVersion;
        finish(operation, shared, outcome);
      });
    }
    return send(message, sendOptions);
  };

  const onclose = transport.onclose;
  transport.onclose = () => {
    for (const operation of pending.values()) {
      safely(() => finish(operation, shared, { errorType: 'connection_closed', message: 'the connection closed before a response', attributes: {} }));
    }
    pending.clear();
    onclose?.();
  };
}

interface Surroundings {
  request: Request | undefined;
  negotiatedVersion: string | undefined;
  sessionId: string | undefined;
}

function begin(message: JSONRPCMessage & { method: string }, shared: Shared, around: Surroundings): Operation {
  const params = (('params' in message ? message.params : undefined) ?? {}) as Record<string, unknown>;
  const toolName = message.method === 'tools/call' && typeof params.name === 'string' ? params.name : undefined;
  const { tracing, network } = shared.options;
  const operation: Operation = {
    method: message.method,
    toolName,
    started: performance.now(),
    span: undefined,
    context: context.active(),
    captureContent: tracing?.captureContent ?? false,
    versionKnown: false,
  };
  if (!tracing) return operation;

  const meta = (typeof params._meta === 'object' && params._meta !== null ? params._meta : {}) as Record<string, unknown>;
  const promptName = message.method === 'prompts/get' && typeof params.name === 'string' ? params.name : undefined;
  const attributes: Attributes = { 'mcp.method.name': message.method, 'network.transport': network };
  if ('id' in message && message.id !== undefined && message.id !== null) attributes['jsonrpc.request.id'] = String(message.id);
  if (toolName !== undefined) {
    attributes['gen_ai.tool.name'] = toolName;
    attributes['gen_ai.operation.name'] = 'execute_tool';
    if (tracing.captureContent && params.arguments !== undefined) attributes['gen_ai.tool.call.arguments'] = JSON.stringify(params.arguments);
  }
  if (promptName !== undefined) attributes['gen_ai.prompt.name'] = promptName;
  if (typeof params.uri === 'string' && message.method.startsWith('resources/')) attributes['mcp.resource.uri'] = params.uri;
  const version = protocolVersionOf(meta, around);
  if (version !== undefined) attributes['mcp.protocol.version'] = version;
  operation.versionKnown = version !== undefined;
  if (around.sessionId !== undefined) attributes['mcp.session.id'] = around.sessionId;
  if (around.request) attributes['network.protocol.name'] = 'http';

  // The W3C context a client put in `_meta` is the parent; the HTTP request's own context (and any
  // ambient span) describes the transport, so when it differs it becomes a link.
  const fromMeta = tracing.metaPropagator.extract(ROOT_CONTEXT, meta, META_GETTER);
  const fromHttp = around.request ? propagation.extract(ROOT_CONTEXT, around.request.headers, HEADERS_GETTER) : undefined;
  const parent = hasSpan(fromMeta) ? fromMeta : fromHttp && hasSpan(fromHttp) ? fromHttp : fromMeta;
  const parentSpan = trace.getSpanContext(parent);
  const links: Link[] = [];
  for (const candidate of [fromHttp && trace.getSpanContext(fromHttp), trace.getSpanContext(context.active())]) {
    if (candidate && trace.isSpanContextValid(candidate) && !sameSpan(candidate, parentSpan) && !links.some((link) => sameSpan(link.context, candidate))) {
      links.push({ context: candidate });
    }
  }

  const target = toolName ?? promptName;
  const span = tracing.tracer.startSpan(target === undefined ? message.method : `${message.method} ${target}`, { kind: SpanKind.SERVER, attributes, links }, parent);
  operation.span = span;
  operation.context = trace.setSpan(parent, span);
  return operation;
}

/** 2026-07-28 requests name their version in `_meta`; 2025-era ones inherit it from `initialize` or the HTTP header. */
function protocolVersionOf(meta: Record<string, unknown>, around: Surroundings): string | undefined {
  const fromEnvelope = meta[PROTOCOL_VERSION_META_KEY];
  if (typeof fromEnvelope === 'string') return fromEnvelope;
  return around.negotiatedVersion ?? around.request?.headers.get('mcp-protocol-version') ?? undefined;
}

function outcomeOf(response: JSONRPCMessage, operation: Operation): Outcome {
  if ('error' in response) {
    return { errorType: String(response.error.code), message: response.error.message, attributes: { 'rpc.response.status_code': String(response.error.code) } };
  }
  const result = ('result' in response ? response.result : {}) as Record<string, unknown>;
  const attributes: Attributes = {};
  if (operation.method === 'initialize' && typeof result.protocolVersion === 'string') attributes['mcp.protocol.version'] = result.protocolVersion;
  if (operation.captureContent && operation.toolName !== undefined) {
    attributes['gen_ai.tool.call.result'] = JSON.stringify(result.structuredContent ?? result.content ?? null);
  }
  if (operation.method === 'tools/call' && result.isError === true) {
    const first = Array.isArray(result.content) ? (result.content[0] as { text?: unknown } | undefined) : undefined;
    return { errorType: 'tool_error', message: typeof first?.text === 'string' ? first.text.slice(0, 200) : 'tool error', attributes };
  }
  return { attributes };
}

/** A client's `notifications/cancelled` means no response will come for that request. */
function cancel(pending: Map<RequestId, Operation>, message: JSONRPCMessage, shared: Shared): void {
  const requestId = ('params' in message ? (message.params as { requestId?: unknown } | undefined) : undefined)?.requestId;
  if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
  const operation = pending.get(requestId);
  if (!operation) return;
  pending.delete(requestId);
  finish(operation, shared, { errorType: 'cancelled', message: 'cancelled by the client', attributes: {} });
}

function finish(operation: Operation, shared: Shared, outcome: Outcome): void {
  const seconds = (performance.now() - operation.started) / 1000;
  const { span } = operation;
  if (span) {
    span.setAttributes(outcome.attributes);
    if (outcome.errorType !== undefined) {
      span.setAttribute('error.type', outcome.errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, ...(outcome.message !== undefined && { message: outcome.message }) });
    }
    span.end();
  }
  const record = {
    method: methodLabel(operation.method),
    toolName: toolLabel(operation.toolName, shared.knownTools),
    errorType: outcome.errorType,
    network: shared.options.network,
    seconds,
  };
  shared.durationMetric.record(record);
  shared.options.onOperation?.(record);
}

/** Telemetry must never break a request: a failure in it costs that one span or measurement, nothing else. */
function safely<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

function hasSpan(ctx: Context): boolean {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext);
}

function sameSpan(a: SpanContext, b: SpanContext | undefined): boolean {
  return b !== undefined && a.traceId === b.traceId && a.spanId === b.spanId;
}

const META_GETTER: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

const HEADERS_GETTER: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, type JSONRPCMessage, type McpServerFactory, type RequestId } from '@modelcontextprotocol/server';
import type { HandshakeLog } from '../lib/handshake.js';
import type { Logger } from '../lib/logger.js';
import type { MessageTap } from '../lib/transport-tap.js';
import { InFlightRequests } from './cancellation.js';
import { requestState } from './middleware.js';
import { SseMessageReader } from './sse-messages.js';
import type { StreamRegistry } from './streams.js';

export interface McpEndpointOptions {
  factory: McpServerFactory;
  streams: StreamRegistry;
  handshakes: HandshakeLog;
  logger: Logger;
}

/** Serves one request whose JSON body (if any) the body link has already parsed into the request state. */
export type McpEndpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * `/mcp`: Streamable HTTP for both protocol eras, stateless (any replica can answer any request).
 * The SDK's handler does the protocol; this owns the Node response, so every SSE response it
 * streams is registered (timeouts, heartbeats, shutdown), the handshake log sees both directions,
 * and a 2025-era `notifications/cancelled` reaches the call it names.
 */
export function createMcpEndpoint({ factory, streams, handshakes, logger }: McpEndpointOptions): McpEndpoint {
  // The SDK reports requests it rejects (bad version, header/body mismatch) here: client mistakes, not crashes.
  const handler = createMcpHandler(factory, {
    onerror: (error) => logger.warn({ error: error.message }, 'MCP request rejected'),
  });
  const inFlight = new InFlightRequests();

  return async (req, res) => {
    const parsedBody = requestState(req).body;
    // Aborting the web Request closes the SDK's per-request transport, which aborts the tool's signal.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });

    const messages = messagesIn(parsedBody);
    const tap = handshakes.tap();
    for (const message of messages) {
      tap.inbound(message);
      if (isCancellation(message)) inFlight.cancel(req, message.params.requestId, 'cancelled by the client');
    }
    const ids = requestIds(messages);
    const untrack = inFlight.track(req, ids, abort);
    try {
      const request = await toWebRequest(req, parsedBody, { signal: abort.signal });
      // The verified token (OAuth) reaches the server factory and every handler as `authInfo`.
      const { auth: authInfo } = requestState(req);
      const response = await handler.fetch(request, { ...(parsedBody !== undefined && { parsedBody }), ...(authInfo && { authInfo }) });
      await writeResponse(response, res, { streams, tap, abort, ids, longLived: opensLongLivedStream(req.method, messages) });
    } finally {
      untrack();
    }
  };
}

/**
 * A GET stream or a 2026-07-28 `subscriptions/listen` stays open until someone ends it, so it
 * counts against MAX_CONNECTIONS; a call's reply stream ends with the call.
 */
export function opensLongLivedStream(method: string | undefined, messages: readonly JSONRPCMessage[]): boolean {
  return method === 'GET' || messages.some((message) => 'method' in message && message.method === 'subscriptions/listen');
}

export function messagesIn(body: unknown): JSONRPCMessage[] {
  const items = Array.isArray(body) ? body : [body];
  return items.filter((item): item is JSONRPCMessage => typeof item === 'object' && item !== null && 'jsonrpc' in item);
}

function requestIds(messages: readonly JSONRPCMessage[]): RequestId[] {
  return messages.flatMap((message) => ('method' in message && 'id' in message && message.id !== undefined ? [message.id] : []));
}

function isCancellation(message: JSONRPCMessage): message is JSONRPCMessage & { params: { requestId: RequestId } } {
  if (!('method' in message) || message.method !== 'notifications/cancelled') return false;
  const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof requestId === 'string' || typeof requestId === 'number';
}

interface WriteContext {
  streams: StreamRegistry;
  tap: MessageTap;
  abort: AbortController;
  ids: RequestId[];
  longLived: boolean;
}

async function writeResponse(response: Response, res: ServerResponse, { streams, tap, abort, ids, longLived }: WriteContext): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body === null) {
    res.end();
    return;
  }
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await response.text();
    for (const message of messagesIn(parseOrUndefined(text))) tap.outbound(message);
    res.end(text);
    return;
  }

  // Send the headers now: the client learns at once that its stream is open.
  res.flushHeaders();
  const stream = streams.open('streamable-http', res, { longLived });
  stream.expectResponses(ids);
  const reader = response.body.getReader();
  stream.onClose((reason) => {
    if (reason === 'complete') return;
    abort.abort(new Error(`stream closed: ${reason}`));
    reader.cancel().catch(() => {});
  });
  const events = new SseMessageReader((message) => {
    tap.outbound(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined && message.id !== null) stream.responded(message.id);
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stream.isClosed) break;
      const written = stream.write(value);
      events.push(value);
      if (!written) await once(res, 'drain', { signal: abort.signal });
    }
    stream.close('complete');
  } catch {
    // The stream was closed (client gone, timeout, shutdown): its close already cleaned up.
    stream.close('error');
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, type JSONRPCMessage, type McpServerFactory, type RequestId } from '@modelcontextprotocol/server';
import { opensModernHandshake, type HandshakeLog } from '../lib/handshake.js';
import { isCancellation, isRequest, messagesIn, requestIds } from '../lib/jsonrpc.js';
import type { Logger } from '../lib/logger.js';
import { InFlightRequests } from './cancellation.js';
import { requestState } from './middleware.js';
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
 * streams is registered (timeouts, heartbeats, shutdown), a handshake the SDK refuses is logged,
 * and a 2025-era `notifications/cancelled` reaches the call it names.
 */
export function createMcpEndpoint({ factory, streams, handshakes, logger }: McpEndpointOptions): McpEndpoint {
  // Each request's server logs its handshake from its own transport (see HandshakeLog.observe).
  const handler = createMcpHandler(handshakes.observe(factory), {
    // The SDK reports requests it rejects (bad version, header/body mismatch) here: client mistakes, not crashes.
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
    for (const message of messages) {
      if (isCancellation(message)) inFlight.cancel(req, message.params.requestId, 'cancelled by the client');
    }
    const ids = requestIds(messages);
    const untrack = inFlight.track(req, ids, abort);
    try {
      const request = await toWebRequest(req, parsedBody, { signal: abort.signal });
      // The verified token (OAuth) reaches the server factory and every handler as `authInfo`.
      const { auth: authInfo } = requestState(req);
      const response = await handler.fetch(request, { ...(parsedBody !== undefined && { parsedBody }), ...(authInfo && { authInfo }) });
      if (!response.ok && isJson(response) && messages.some(opensModernHandshake)) {
        await logRefusedHandshake(response, res, messages, handshakes);
        return;
      }
      await writeResponse(response, res, { streams, abort, ids, longLived: opensLongLivedStream(req.method, messages) });
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
  return method === 'GET' || messages.some((message) => isRequest(message) && message.method === 'subscriptions/listen');
}

/**
 * The SDK refuses a 2026-07-28 request naming a version it does not serve before any server
 * exists, so no transport sees that answer: its short JSON error body is read here, and only then.
 */
async function logRefusedHandshake(response: Response, res: ServerResponse, messages: readonly JSONRPCMessage[], handshakes: HandshakeLog): Promise<void> {
  const text = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(text);
  const tap = handshakes.tap();
  for (const message of messages) tap.inbound(message);
  for (const message of messagesIn(parseOrUndefined(text))) tap.outbound(message);
}

interface WriteContext {
  streams: StreamRegistry;
  abort: AbortController;
  ids: RequestId[];
  longLived: boolean;
}

async function writeResponse(response: Response, res: ServerResponse, { streams, abort, ids, longLived }: WriteContext): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body === null) {
    res.end();
    return;
  }
  if (!isEventStream(response)) {
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }

  // Send the headers now: the client learns at once that its stream is open.
  res.flushHeaders();
  const stream = streams.open('streamable-http', res, { longLived });
  // A call's reply stream ends once its responses are out, so until it ends it is owed them.
  if (!longLived) stream.expectResponses(ids);
  const reader = response.body.getReader();
  stream.onClose((reason) => {
    if (reason === 'complete') return;
    abort.abort(new Error(`stream closed: ${reason}`));
    reader.cancel().catch(() => {});
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stream.isClosed) break;
      const written = stream.write(value);
      if (!written) await once(res, 'drain', { signal: abort.signal });
    }
    stream.close('complete');
  } catch {
    // The stream was closed (client gone, timeout, shutdown): its close already cleaned up.
    stream.close('error');
  }
}

function isEventStream(response: Response): boolean {
  return response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
}

function isJson(response: Response): boolean {
  return response.headers.get('content-type')?.startsWith('application/json') ?? false;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

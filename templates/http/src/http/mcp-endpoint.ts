import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, type JSONRPCMessage, type McpServerFactory } from '@modelcontextprotocol/server';
import type { HandshakeLog } from '../lib/handshake.js';
import type { Logger } from '../lib/logger.js';
import type { MessageTap } from '../lib/transport-tap.js';
import type { Metrics } from './metrics.js';
import { SseMessageReader } from './sse-messages.js';
import type { StreamRegistry } from './streams.js';

export interface McpEndpointOptions {
  factory: McpServerFactory;
  streams: StreamRegistry;
  handshakes: HandshakeLog;
  metrics: Metrics;
  logger: Logger;
}

export type McpEndpoint = (req: IncomingMessage, res: ServerResponse, parsedBody: unknown) => Promise<void>;

/**
 * `/mcp`: Streamable HTTP for both protocol eras, stateless (any replica can answer any request).
 * The SDK's handler does the protocol; this owns the Node response, so every SSE response it
 * streams is registered (timeouts, heartbeats, shutdown) and the handshake log sees both ways.
 */
export function createMcpEndpoint({ factory, streams, handshakes, metrics, logger }: McpEndpointOptions): McpEndpoint {
  const handler = createMcpHandler(factory, { onerror: (error) => logger.error({ err: error }, 'MCP handler error') });

  return async (req, res, parsedBody) => {
    // Aborting the web Request closes the SDK's per-request transport, which aborts the tool's signal.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });

    const tap = handshakes.tap();
    const protocolHeader = req.headers['mcp-protocol-version'];
    for (const message of messagesIn(parsedBody)) {
      tap.inbound(message);
      metrics.countRequest(message, typeof protocolHeader === 'string' ? protocolHeader : undefined);
    }

    const request = await toWebRequest(req, parsedBody, { signal: abort.signal });
    const response = await handler.fetch(request, parsedBody === undefined ? {} : { parsedBody });
    await writeResponse(response, res, { streams, tap, abort });
  };
}

function messagesIn(body: unknown): JSONRPCMessage[] {
  const items = Array.isArray(body) ? body : [body];
  return items.filter((item): item is JSONRPCMessage => typeof item === 'object' && item !== null && 'jsonrpc' in item);
}

async function writeResponse(
  response: Response,
  res: ServerResponse,
  { streams, tap, abort }: { streams: StreamRegistry; tap: MessageTap; abort: AbortController },
): Promise<void> {
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

  const stream = streams.open('streamable-http', res);
  const reader = response.body.getReader();
  stream.onClose((reason) => {
    if (reason === 'complete') return;
    abort.abort(new Error(`stream closed: ${reason}`));
    reader.cancel().catch(() => {});
  });
  const messages = new SseMessageReader((message) => tap.outbound(message));
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stream.isClosed) break;
      messages.push(value);
      if (!stream.write(value)) await once(res, 'drain', { signal: abort.signal });
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

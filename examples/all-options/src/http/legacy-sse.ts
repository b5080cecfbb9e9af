import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { HandshakeLog } from '../lib/handshake.js';
import { isRequest, respondsTo } from '../lib/jsonrpc.js';
import type { Logger } from '../lib/logger.js';
import { TappedTransport } from '../lib/transport-tap.js';
import { requestState } from './middleware.js';
import { JSONRPC, sendJsonRpcError } from './respond.js';
import type { LegacySseRoutes } from './server.js';
import type { StreamRegistry, TrackedStream } from './streams.js';

interface Session {
  transport: SSEServerTransport;
  stream: TrackedStream;
  /** With OAuth: the client and user who opened the stream; only they may post to it. */
  owner: string | undefined;
}

export interface LegacySseOptions {
  factory: McpServerFactory;
  streams: StreamRegistry;
  handshakes: HandshakeLog;
  logger: Logger;
}

/**
 * The 2024-11-05 HTTP+SSE transport (`GET /sse`, `POST /messages?sessionId=`) for older clients,
 * on the official legacy package. Its sessions live in this process's memory, so a load balancer
 * must route a client's requests to one replica (sticky sessions). The transport has no keep-alive
 * and no timeouts of its own: each session's stream is tracked in the registry, and when it
 * closes, for any reason, the session, its transport and its server instance go with it.
 */
export class LegacySseSessions implements LegacySseRoutes {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: LegacySseOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { factory, streams, handshakes, logger } = this.options;
    const transport = new SSEServerTransport('/messages', res);
    const stream = streams.open('legacy-sse', res, { longLived: true });
    const tap = handshakes.tap();
    // Traffic either way keeps the stream from idling; open requests make it busy, so a shutdown
    // delivers results that are already computed before closing it. A tap, because one session
    // carries many calls and only its transport sees each response go out.
    const tapped = new TappedTransport(transport, {
      inbound: (message) => {
        stream.touch();
        tap.inbound(message);
        if (isRequest(message)) stream.expectResponses([message.id]);
      },
      outbound: (message) => {
        stream.touch();
        tap.outbound(message);
        const answered = respondsTo(message);
        if (answered !== undefined) stream.responded(answered);
      },
    });
    const { auth: authInfo } = requestState(req);
    const server = await factory({ era: 'legacy', ...(authInfo && { authInfo }) });
    await server.connect(tapped);

    const { sessionId } = transport;
    this.sessions.set(sessionId, { transport, stream, owner: ownerOf(req) });
    logger.debug({ sessionId }, 'legacy SSE session opened');
    stream.onClose((reason) => {
      this.sessions.delete(sessionId);
      void server.close().catch((error: unknown) => logger.warn({ err: error, sessionId }, 'closing a legacy session failed'));
      logger.debug({ sessionId, reason }, 'legacy SSE session closed');
    });
  }

  async postMessage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('sessionId') ?? '';
    const session = this.sessions.get(sessionId);
    if (!session) {
      sendJsonRpcError(res, 404, JSONRPC.serverError, 'unknown or expired sessionId; open a new stream at /sse');
      return;
    }
    if (session.owner !== ownerOf(req)) {
      sendJsonRpcError(res, 403, JSONRPC.serverError, 'this session was opened by another client or user');
      return;
    }
    session.stream.touch();
    await session.transport.handlePostMessage(req, res, requestState(req).body);
  }
}

/** Who a verified token speaks for (undefined without OAuth). */
function ownerOf(req: IncomingMessage): string | undefined {
  const { auth } = requestState(req);
  return auth && JSON.stringify([auth.clientId, auth.extra?.subject ?? null]);
}

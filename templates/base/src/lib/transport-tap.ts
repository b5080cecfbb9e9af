import type { JSONRPCMessage, McpServerFactory, MessageExtraInfo, Transport, TransportSendOptions } from '@modelcontextprotocol/server';

/** Sees every message that crosses a transport, without changing any of them. */
export interface MessageTap {
  inbound(message: JSONRPCMessage): void;
  outbound(message: JSONRPCMessage): void;
}

/**
 * Wraps a transport so a tap observes traffic in both directions. The SDK owns the transport
 * (it sets the handlers); this only forwards, so the protocol is untouched.
 */
export class TappedTransport implements Transport {
  private handler: Transport['onmessage'];

  constructor(
    private readonly inner: Transport,
    private readonly tap: MessageTap,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get onclose(): Transport['onclose'] {
    return this.inner.onclose;
  }
  set onclose(handler: Transport['onclose']) {
    this.inner.onclose = handler;
  }

  get onerror(): Transport['onerror'] {
    return this.inner.onerror;
  }
  set onerror(handler: Transport['onerror']) {
    this.inner.onerror = handler;
  }

  get onmessage(): Transport['onmessage'] {
    return this.handler;
  }
  set onmessage(handler: Transport['onmessage']) {
    this.handler = handler;
    this.inner.onmessage = handler && (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => {
      this.tap.inbound(message);
      handler(message, extra);
    });
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.tap.outbound(message);
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }
}

export interface Connectable {
  connect(transport: Transport): Promise<void>;
}

/** What the SDK hands a server factory for each server it asks for. */
export type ServerFactoryContext = Parameters<McpServerFactory>[0];

/**
 * Wraps a server factory so `onConnect` sees the transport the SDK connects each server it asks
 * for to (under HTTP, one per request). The SDK has set the transport's handlers by then, so an
 * observer wraps them in place and reads messages already parsed.
 */
export function onServerConnect(factory: McpServerFactory, onConnect: (transport: Transport, ctx: ServerFactoryContext) => void): McpServerFactory {
  return async (ctx) => {
    const product = await factory(ctx);
    onNextConnect(product, (transport) => onConnect(transport, ctx));
    return product;
  };
}

/**
 * Runs `onConnected` once the server's next `connect` has finished, then puts `connect` back as
 * it was: a server that is reused (lib/server-reuse.ts) gets one observer per connection, with
 * that request's context, never a pile of them.
 */
export function onNextConnect(server: Connectable, onConnected: (transport: Transport) => void): void {
  const own = Object.hasOwn(server, 'connect');
  const connect = server.connect;
  server.connect = async (transport) => {
    if (own) server.connect = connect;
    else delete (server as Partial<Connectable>).connect;
    await connect.call(server, transport);
    onConnected(transport);
  };
}

/** A fresh tap for the traffic of each server the factory makes. */
export function tapServerFactory(factory: McpServerFactory, newTap: () => MessageTap): McpServerFactory {
  return onServerConnect(factory, (transport) => observeInPlace(transport, newTap()));
}

/**
 * Wraps a connected transport's handlers where they are (the SDK has set them by now), so `tap`
 * sees every message, already parsed, in both directions.
 */
export function observeInPlace(transport: Transport, tap: MessageTap): void {
  const handler = transport.onmessage;
  if (handler) {
    transport.onmessage = (message, extra) => {
      tap.inbound(message);
      handler(message, extra);
    };
  }
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    tap.outbound(message);
    return send(message, options);
  };
}

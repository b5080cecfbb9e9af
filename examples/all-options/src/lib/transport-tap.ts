import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from '@modelcontextprotocol/server';

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

import { InMemoryTransport, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { TappedTransport } from '../../src/lib/transport-tap.js';

describe('TappedTransport', () => {
  it('shows the tap every message in both directions and forwards them unchanged', async () => {
    const [outer, inner] = InMemoryTransport.createLinkedPair();
    const inbound: JSONRPCMessage[] = [];
    const outbound: JSONRPCMessage[] = [];
    const tapped = new TappedTransport(inner, { inbound: (m) => inbound.push(m), outbound: (m) => outbound.push(m) });

    const received: JSONRPCMessage[] = [];
    tapped.onmessage = (message) => received.push(message);
    const echoed: JSONRPCMessage[] = [];
    outer.onmessage = (message) => echoed.push(message);
    await tapped.start();
    await outer.start();

    const request: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'ping' };
    const response: JSONRPCMessage = { jsonrpc: '2.0', id: 1, result: {} };
    await outer.send(request);
    await tapped.send(response);

    expect(inbound).toEqual([request]);
    expect(received).toEqual([request]);
    expect(outbound).toEqual([response]);
    expect(echoed).toEqual([response]);
  });

  it('passes close through to the handler the SDK set', async () => {
    const [, inner] = InMemoryTransport.createLinkedPair();
    const tapped = new TappedTransport(inner, { inbound: () => {}, outbound: () => {} });
    let closed = false;
    tapped.onclose = () => {
      closed = true;
    };
    await tapped.close();
    expect(closed).toBe(true);
  });
});

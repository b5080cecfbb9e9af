import { InMemoryTransport, McpServer, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { onServerConnect, TappedTransport, tapServerFactory } from '../../src/lib/transport-tap.js';

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

describe('tapServerFactory', () => {
  it('gives each server the factory makes a fresh tap on the transport it is connected to', async () => {
    const seen: string[] = [];
    let taps = 0;
    const factory = tapServerFactory(
      () => new McpServer({ name: 'tapped', version: '1.0.0' }),
      () => {
        const tap = ++taps;
        return {
          inbound: (message) => seen.push(`${tap} in ${'method' in message ? message.method : 'response'}`),
          outbound: (message) => seen.push(`${tap} out ${'result' in message ? 'result' : 'other'}`),
        };
      },
    );

    for (const id of [1, 2]) {
      const [client, server] = InMemoryTransport.createLinkedPair();
      const answered = new Promise<JSONRPCMessage>((resolve) => {
        client.onmessage = resolve;
      });
      await (await factory({ era: 'legacy' })).connect(server);
      await client.start();
      await client.send({ jsonrpc: '2.0', id, method: 'ping' });
      expect(await answered).toMatchObject({ id, result: {} });
    }
    expect(seen).toEqual(['1 in ping', '1 out result', '2 in ping', '2 out result']);
  });
});

describe('onServerConnect', () => {
  it('observes each connection of a reused server once, with the context of the request it serves', async () => {
    const server = new McpServer({ name: 'reused', version: '1.0.0' });
    const seen: string[] = [];
    const factory = onServerConnect(
      () => server,
      (_transport, ctx) => seen.push(ctx.authInfo?.clientId ?? 'none'),
    );
    for (const clientId of ['a', 'b', 'c']) {
      const product = await factory({ era: 'modern', authInfo: { token: 'token', clientId, scopes: [] } });
      const [, serverSide] = InMemoryTransport.createLinkedPair();
      await product.connect(serverSide);
      await product.close();
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    // `connect` is the SDK's own again, not a chain of wrappers.
    expect(Object.hasOwn(server, 'connect')).toBe(false);
  });
});

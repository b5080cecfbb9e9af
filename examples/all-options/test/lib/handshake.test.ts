import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { HandshakeLog, type Handshake } from '../../src/lib/handshake.js';
import { captureLogs } from '../helpers/log-capture.js';

const client = { name: 'inspector', version: '0.9.0' };

function initialize(id: number, protocolVersion: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: client } };
}

function modernRequest(id: number, protocolVersion: string, method = 'tools/list'): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': protocolVersion,
        'io.modelcontextprotocol/clientInfo': client,
      },
    },
  };
}

function result(id: number, value: Record<string, unknown> = {}): JSONRPCMessage {
  return { jsonrpc: '2.0', id, result: value };
}

function setup() {
  const { logger, entries } = captureLogs();
  const seen: Handshake[] = [];
  const log = new HandshakeLog(logger);
  log.listen((handshake) => seen.push(handshake));
  return { log, entries, seen };
}

describe('HandshakeLog', () => {
  it('logs a 2025-era initialize with client, requested and served version', () => {
    const { log, entries, seen } = setup();
    const tap = log.tap();
    tap.inbound(initialize(0, '2025-06-18'));
    tap.outbound(result(0, { protocolVersion: '2025-06-18' }));

    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'info',
      msg: 'client handshake',
      handshake: {
        era: 'legacy',
        clientName: 'inspector',
        clientVersion: '0.9.0',
        requestedProtocolVersion: '2025-06-18',
        servedProtocolVersion: '2025-06-18',
      },
    });
    expect(seen).toEqual([{ era: 'legacy', client, requestedVersion: '2025-06-18', servedVersion: '2025-06-18', supported: true }]);
  });

  it('reads a version that is not a string (an object that cannot become one, a number) as unknown, without throwing', () => {
    const { log, seen } = setup();
    const tap = log.tap();
    const unprintable = { toString: 1, valueOf: 1 } as unknown as string;
    tap.inbound(initialize(2, unprintable));
    tap.outbound({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'Invalid params' } });
    tap.inbound(modernRequest(3, 20260728 as unknown as string));
    tap.outbound({ jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'Invalid params' } });
    expect(seen.map((handshake) => handshake.requestedVersion)).toEqual(['unknown']);
  });

  it('warns when a 2025-era client is answered with a different version', () => {
    const { log, entries, seen } = setup();
    const tap = log.tap();
    tap.inbound(initialize(1, '1999-01-01'));
    tap.outbound(result(1, { protocolVersion: '2025-11-25' }));

    expect(entries[0]?.level).toBe('warn');
    expect(entries[0]?.msg).toContain('1999-01-01');
    expect(entries[0]?.msg).toContain('2025-11-25');
    expect(seen[0]?.supported).toBe(false);
  });

  it('logs a 2026-07-28 client once, from the envelope of its first request', () => {
    const { log, entries, seen } = setup();
    for (const [id, method] of [[1, 'tools/list'], [2, 'tools/call'], [3, 'resources/read']] as const) {
      const tap = log.tap();
      tap.inbound(modernRequest(id, '2026-07-28', method));
      tap.outbound(result(id));
    }
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 'info', handshake: { era: 'modern', requestedProtocolVersion: '2026-07-28' } });
    expect(seen).toHaveLength(3);
  });

  it('warns when a modern request is refused for its protocol version', () => {
    const { log, entries, seen } = setup();
    const tap = log.tap();
    tap.inbound(modernRequest(7, '2099-01-01'));
    tap.outbound({ jsonrpc: '2.0', id: 7, error: { code: -32022, message: 'Unsupported protocol version' } });

    expect(entries[0]?.level).toBe('warn');
    expect(entries[0]?.msg).toContain('unsupported protocol version 2099-01-01');
    expect(seen[0]).toMatchObject({ servedVersion: undefined, supported: false });
  });

  it('does not count a modern request rejected for another reason (a bad header) as a handshake', () => {
    const { log, entries, seen } = setup();
    const tap = log.tap();
    tap.inbound(modernRequest(8, '2026-07-28'));
    tap.outbound({ jsonrpc: '2.0', id: 8, error: { code: -32020, message: 'headers and body disagree' } });
    expect(entries).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('ignores requests without a handshake and responses it did not see opened', () => {
    const { log, entries, seen } = setup();
    const tap = log.tap();
    tap.inbound({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    tap.outbound(result(3));
    tap.outbound(result(99, { protocolVersion: '2025-11-25' }));
    tap.inbound({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(entries).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('keeps request ids apart per tap (one per connection or HTTP request)', () => {
    const { log, seen } = setup();
    const first = log.tap();
    const second = log.tap();
    first.inbound(initialize(0, '2025-03-26'));
    second.outbound(result(0, { protocolVersion: '2025-11-25' }));
    expect(seen).toEqual([]);
    first.outbound(result(0, { protocolVersion: '2025-03-26' }));
    expect(seen).toHaveLength(1);
  });
});

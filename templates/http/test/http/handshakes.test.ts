import { afterEach, describe, expect, it } from 'vitest';
import { logsWith, startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { LEGACY_VERSION, legacyHeaders, metric, modernHeaders, parseSse, rawRequest } from '../helpers/http-raw.js';

// No silent version mismatches over HTTP: a client asking for a version the server does not
// speak is logged as a warning and counted, in both protocol eras.

let server: TestHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('protocol version mismatches over HTTP', () => {
  it('answers a 2025-era initialize for an unknown version with its own, and warns', async () => {
    server = await startTestHttpServer();
    const response = await rawRequest(server.url, '/mcp', {
      headers: { accept: legacyHeaders.accept },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-01-01', capabilities: {}, clientInfo: { name: 'old-client', version: '0.1' } } },
    });

    expect(response.status).toBe(200);
    const [message] = parseSse(response.body);
    expect(JSON.parse(message?.data ?? '')).toMatchObject({ id: 1, result: { protocolVersion: LEGACY_VERSION } });
    expect(server.logs.filter((entry) => entry.level === 'warn' && /2024-01-01/.test(entry.msg))).toEqual([
      expect.objectContaining({
        handshake: expect.objectContaining({ era: 'legacy', clientName: 'old-client', requestedProtocolVersion: '2024-01-01', servedProtocolVersion: LEGACY_VERSION }),
      }),
    ]);
    expect(logsWith(server.logs, 'client handshake')).toHaveLength(0);
    expect(await metric(server.url, 'mcp_handshakes_total', { era: 'legacy', protocol_version: 'other', outcome: 'downgraded' })).toBe(1);
  });

  it('refuses a request in an envelope naming an unknown version, and warns', async () => {
    server = await startTestHttpServer();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2099-01-01',
      'io.modelcontextprotocol/clientInfo': { name: 'future-client', version: '9.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const response = await rawRequest(server.url, '/mcp', {
      headers: { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2099-01-01' },
      body: { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } },
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ id: 2, error: { code: -32022 } });
    expect(server.logs.filter((entry) => entry.level === 'warn' && /2099-01-01/.test(entry.msg))).toEqual([
      expect.objectContaining({
        handshake: expect.objectContaining({ era: 'modern', clientName: 'future-client', requestedProtocolVersion: '2099-01-01', servedProtocolVersion: null }),
      }),
    ]);
    expect(await metric(server.url, 'mcp_handshakes_total', { era: 'modern', protocol_version: 'other', outcome: 'refused' })).toBe(1);
    expect(await metric(server.url, 'mcp_requests_total', { era: 'modern', protocol_version: 'other' })).toBe(1);
  });
});

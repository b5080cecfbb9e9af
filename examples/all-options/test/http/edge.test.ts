import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/http/body.js';
import { originMatcher, parseHostHeader } from '../../src/http/guards.js';
import { logsWith, useTestHttpServers } from '../helpers/http-server.js';
import { envelope, initializeRequest, legacyHeaders, modernHeaders, rawRequest, scrapeMetrics, toolCallRequest, type RawResponse } from '../helpers/http-raw.js';

// The HTTP edge under a hostile client: no input grows /metrics, holds a connection, or turns
// into a 500; every refusal is a clear 4xx and the server keeps serving.

const start = useTestHttpServers();

/** A small deterministic PRNG (mulberry32), so a failing input can be reproduced from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomWord(next: () => number, length = 12): string {
  let word = '';
  for (let i = 0; i < length; i++) word += 'abcdefghijklmnopqrstuvwxyz0123456789-_./'[Math.floor(next() * 40)];
  return word;
}

/**
 * This server's own series in a Prometheus text page (name plus labels), without their values.
 * Node's process metrics are left out: a garbage collection of a new kind adds its series.
 */
function seriesOf(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((line) => line.startsWith('mcp_'))
      .map((line) => line.slice(0, line.lastIndexOf(' '))),
  );
}

/** Runs `count` tasks with at most `width` at a time. */
async function inBatches(count: number, width: number, task: (index: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, offset) => task(start + offset)));
  }
}

function expectClientError(response: RawResponse, status: number): void {
  expect(response.status, response.body).toBe(status);
  expect(JSON.parse(response.body)).toMatchObject({ jsonrpc: '2.0', error: { message: expect.any(String) }, id: null });
}

describe('/metrics labels come from fixed sets', () => {
  it('does not grow after 1,000 requests with random protocol versions, methods and tool names', async () => {
    const { url } = await start();
    const next = random(9);
    const sent = new Set<string>();
    const hostile = (index: number): Promise<RawResponse> => {
      const [version, method, tool] = [randomWord(next), randomWord(next), randomWord(next)];
      for (const word of [version, method, tool]) sent.add(word);
      switch (index % 4) {
        case 0: // a 2025-era initialize asking for a made-up version
          return rawRequest(url, '/mcp', {
            headers: { accept: legacyHeaders.accept },
            body: { ...initializeRequest(tool), params: { protocolVersion: version, capabilities: {}, clientInfo: { name: tool, version } } },
          });
        case 1: // a 2026-07-28 request whose envelope names a made-up version and method
          return rawRequest(url, '/mcp', {
            headers: modernHeaders(method),
            body: { jsonrpc: '2.0', id: index, method, params: { _meta: { ...envelope(tool), 'io.modelcontextprotocol/protocolVersion': version } } },
          });
        case 2: // a call to a tool that does not exist
          return rawRequest(url, '/mcp', { headers: legacyHeaders, body: toolCallRequest(tool, {}) });
        default: // a made-up method under a made-up version header
          return rawRequest(url, '/mcp', {
            headers: { ...legacyHeaders, 'mcp-protocol-version': version },
            body: { jsonrpc: '2.0', id: index, method, params: {} },
          });
      }
    };

    // Warm up: the fixed `other` series appear on first use.
    await inBatches(40, 20, hostile);
    const before = await scrapeMetrics(url);
    await inBatches(1_000, 20, hostile);
    const after = await scrapeMetrics(url);

    const added = [...seriesOf(after)].filter((series) => !seriesOf(before).has(series));
    expect(added).toEqual([]);
    expect([...sent].filter((word) => after.includes(word))).toEqual([]);
    expect(after).toMatch(/mcp_requests_total\{[^}]*protocol_version="other"/);
  });
});

describe('slow request bodies', () => {
  it('drops a request whose body has not arrived within REQUEST_TIMEOUT_MS of its headers, with 408', async () => {
    const { url } = await start({ REQUEST_TIMEOUT_MS: '300' });
    const { port } = new URL(url);
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Headers promise 1000 bytes; a few arrive, then nothing.
    socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":`);

    const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still open'), 10_000))]);
    socket.destroy();
    expect(outcome).toBe('closed');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses REQUEST_TIMEOUT_MS below 100 at start-up, naming the variable', async () => {
    await expect(start({ REQUEST_TIMEOUT_MS: '5' })).rejects.toThrow(/REQUEST_TIMEOUT_MS/);
  });
});

describe('hostile bodies and headers get a 4xx, never a 500', () => {
  it(`answers JSON nested 100,000 deep with 400 (the limit is ${MAX_JSON_DEPTH} levels)`, async () => {
    const { url, logs } = await start();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectClientError(await rawRequest(url, '/mcp', { headers: legacyHeaders, body: deep }), 400);
    const deepParams = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    expectClientError(await rawRequest(url, '/mcp', { headers: legacyHeaders, body: deepParams }), 400);
    // Brackets inside strings are text, not nesting.
    const call = toolCallRequest('append_note', { note: 'brackets', text: '['.repeat(1_000) });
    expect((await rawRequest(url, '/mcp', { headers: legacyHeaders, body: call })).status).toBe(200);
    expect(logsWith(logs, 'request failed')).toEqual([]);
  });

  it('answers a body that is not valid UTF-8 with 400 instead of replacing the bytes', async () => {
    const { url, services } = await start();
    const { port } = new URL(url);
    const prefix = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"append_note","arguments":{"note":"utf8","text":"');
    const body = Buffer.concat([prefix, Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}}')]);
    const response = await rawBytes(Number(port), [
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: ${legacyHeaders.accept}\r\nMCP-Protocol-Version: ${legacyHeaders['mcp-protocol-version']}\r\n`,
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      body,
    ]);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toContain('not valid UTF-8');
    expect(await services.notes.get('utf8')).toBeUndefined();
  });

  it('serves a target in absolute form (RFC 9112) as its path; an unusable one is a 404', async () => {
    const { url, logs } = await start();
    const { port } = new URL(url);
    // A 2026-07-28 request: answered with JSON, so the connection closes with the response.
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope() } });
    const headers = Object.entries({ ...modernHeaders('tools/list'), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    const send = (target: string) =>
      rawBytes(Number(port), [
        `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}Connection: close\r\n\r\n${body}`,
      ]);
    expect(await send(`http://127.0.0.1:${port}/mcp`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await send('*')).toMatch(/^HTTP\/1\.1 404 /);
    expect(logsWith(logs, 'request failed')).toEqual([]);
  });

  it('answers a Host with user info, a path or a bad port with 400, before any allow-list', async () => {
    const { url, logs } = await start();
    for (const host of ['evil.example@127.0.0.1', '127.0.0.1@evil.example', 'localhost/x', 'localhost:99999', 'localhost:1:2', 'local host']) {
      const response = await rawRequest(url, '/mcp', { headers: { accept: legacyHeaders.accept, host }, body: initializeRequest() });
      expect(response.status, `Host: ${host}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `Host: ${host}`).toBeLessThan(500);
    }
    expect(logsWith(logs, 'request failed')).toEqual([]);
  });

  it('parses Host headers strictly', () => {
    expect(parseHostHeader('localhost:3000')).toBe('localhost');
    expect(parseHostHeader('LocalHost')).toBe('localhost');
    expect(parseHostHeader('[::1]:3000')).toBe('[::1]');
    expect(parseHostHeader('mcp.example.com.')).toBe('mcp.example.com');
    for (const bad of ['evil.example@127.0.0.1', 'a b', 'a/b', 'x:1:2', ':3000', 'host:65536', '[::1', undefined]) {
      expect(parseHostHeader(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('Origin allow-list checks scheme and port', () => {
  it('matches a full origin exactly, a bare name as https on the default port, and loopback on any port', () => {
    const allowed = originMatcher(['https://app.example.com', 'http://tools.example:8080', 'docs.example', 'localhost', '[::1]']);
    expect(allowed('https://app.example.com')).toBe(true);
    expect(allowed('https://app.example.com:443')).toBe(true);
    expect(allowed('http://app.example.com')).toBe(false);
    expect(allowed('https://app.example.com:8443')).toBe(false);
    expect(allowed('https://app.example.com.evil.example')).toBe(false);
    expect(allowed('http://tools.example:8080')).toBe(true);
    expect(allowed('http://tools.example')).toBe(false);
    expect(allowed('https://docs.example')).toBe(true);
    expect(allowed('http://docs.example')).toBe(false);
    expect(allowed('https://docs.example:8443')).toBe(false);
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('https://localhost')).toBe(true);
    expect(allowed('http://[::1]:3000')).toBe(true);
    expect(allowed('ftp://localhost')).toBe(false);
    expect(allowed('null')).toBe(false);
    expect(allowed('http://user@localhost')).toBe(false);
  });

  it('refuses an allowed host under the wrong scheme or port over HTTP with 403', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://app.example.com' });
    const initialize = (origin: string) => rawRequest(url, '/mcp', { headers: { accept: legacyHeaders.accept, origin }, body: initializeRequest() });
    expect((await initialize('https://app.example.com')).status).toBe(200);
    expectClientError(await initialize('http://app.example.com'), 403);
    expectClientError(await initialize('https://app.example.com:8443'), 403);
  });
});

describe('no client input crashes the server', () => {
  it('answers 400 crafted requests with a status below 500 and keeps serving', async () => {
    const { url, logs } = await start({ MAX_BODY_BYTES: '65536' });
    const next = random(42);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const bodies: (() => string)[] = [
      () => '',
      () => 'null',
      () => '[]',
      () => '[1,2,3]',
      () => '"just a string"',
      () => '{"jsonrpc":"2.0"}',
      () => `{"jsonrpc":"2.0","id":{"a":1},"method":"tools/call"}`,
      () => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1,2]}`,
      () => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":null,"arguments":"x"}}`,
      () => `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":${JSON.stringify(randomWord(next))}}}`,
      () => `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{"x":1}}}`,
      () => `{"jsonrpc":"2.0","method":"notifications/cancelled","params":null}`,
      () => `[${Array.from({ length: 50 }, (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"ping"}`).join(',')}]`,
      () => `{"jsonrpc":"2.0","id":1e999,"method":"ping"}`,
      () => `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":"nope"}}`,
      () => `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":{"x":1}}}}`,
      () => `{"__proto__":{"polluted":true},"jsonrpc":"2.0","id":1,"method":"ping"}`,
      () => '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"append_note","arguments":{"note":"../../etc/passwd","text":"x"}}}',
      () => '{'.repeat(200),
      () => randomWord(next, 64),
      () => '\u0000\u0001\u0002',
      () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      () => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
    ];
    const headerSets: Record<string, string>[] = [
      legacyHeaders,
      modernHeaders('tools/call', 'append_note'),
      { accept: 'text/html' },
      { accept: legacyHeaders.accept, 'content-type': 'text/plain' },
      { ...legacyHeaders, 'mcp-protocol-version': '../../x' },
      { ...legacyHeaders, 'mcp-session-id': randomWord(next) },
      { ...legacyHeaders, origin: 'null' },
      { ...legacyHeaders, authorization: 'Bearer' },
      { ...legacyHeaders, host: 'evil.example@127.0.0.1' },
    ];
    const paths = ['/mcp', '/mcp?x=1', '/mcp#f', '/messages?sessionId=nope', '/sse', '/%zz', '/mcp/../mcp', '/metrics?x=%'];
    const methods = ['POST', 'GET', 'DELETE', 'PUT', 'OPTIONS', 'HEAD'];

    const statuses = new Map<number, number>();
    await inBatches(400, 10, async () => {
      const method = pick(methods);
      const body = method === 'GET' || method === 'HEAD' ? undefined : pick(bodies)();
      const status = await statusOf(url, pick(paths), method, pick(headerSets), body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });

    expect([...statuses.keys()].filter((status) => status >= 500 || status === 0), JSON.stringify([...statuses])).toEqual([]);
    expect(logsWith(logs, 'request failed')).toEqual([]);
    expect((await rawRequest(url, '/healthz')).status).toBe(200);
    expect((await rawRequest(url, '/mcp', { headers: legacyHeaders, body: toolCallRequest('append_note', { note: 'after', text: 'still fine' }) })).status).toBe(200);
  });
});

/** Writes raw bytes on one connection and resolves with everything the server sent back. */
function rawBytes(port: number, parts: (string | Buffer)[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(received));
    socket.once('connect', () => {
      for (const part of parts) socket.write(part);
    });
  });
}

/**
 * The status of one request, read from the response head; the response is then dropped, so a
 * request that opens a stream (GET /sse, a listen) does not hold the test. 0 when no head came.
 */
function statusOf(base: string, path: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL(path, base), {
      method,
      agent: false,
      headers: { 'content-type': 'application/json', ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) },
    });
    req.once('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

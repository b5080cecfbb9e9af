import { readdirSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

/**
 * Raw HTTP on real loopback sockets, one socket per request (no keep-alive pool), so tests see
 * exactly what the server sends and every socket they open is theirs to close.
 */

export const LEGACY_VERSION = '2025-11-25';
export const MODERN_VERSION = '2026-07-28';

const ACCEPT_BOTH = 'application/json, text/event-stream';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A string or object (sent as JSON); `chunks` sends the body chunked instead. */
  body?: string | object;
  /** Sent one by one with chunked transfer encoding (no Content-Length). */
  chunks?: string[];
}

/** One request on its own connection (`Connection: close`), resolved with the whole response. */
export function rawRequest(base: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const { method = options.body === undefined && options.chunks === undefined ? 'GET' : 'POST' } = options;
  const body = typeof options.body === 'object' ? JSON.stringify(options.body) : options.body;
  const headers: Record<string, string> = {
    ...(body !== undefined && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    ...(options.chunks !== undefined && { 'content-type': 'application/json' }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers, agent: false });
    let settled = false;
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
      res.on('error', (error) => {
        if (!settled) reject(error);
      });
    });
    // A server that refuses a body closes the connection without reading it: writes may then
    // fail with EPIPE/ECONNRESET after the response arrived, which is not the test's failure.
    req.on('error', (error) => {
      if (!settled) setTimeout(() => (settled ? undefined : reject(error)), 50);
    });
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(body);
    }
  });
}

/**
 * A request sent up to its last header line, then held: the connection is busy with a request
 * (so a server closing idle connections leaves it alone) until `finish()` sends the rest. This
 * is how a request that was already on its way when the server began shutting down looks.
 */
export interface HeldRequest {
  finish(): Promise<RawResponse>;
  destroy(): void;
}

export async function holdRequest(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: object } = {}): Promise<HeldRequest> {
  const url = new URL(path, base);
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const headers: Record<string, string> = {
    host: url.host,
    connection: 'close',
    ...(body !== '' && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    ...options.headers,
  };
  const head = [`${options.method ?? (body === '' ? 'GET' : 'POST')} ${url.pathname} HTTP/1.1`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  await new Promise<void>((resolve, reject) => socket.write(`${head.join('\r\n')}\r\n`, (error) => (error ? reject(error) : resolve())));
  return {
    finish: async () => {
      socket.write(`\r\n${body}`);
      await ended;
      return parseRawHttpResponse(received);
    },
    destroy: () => socket.destroy(),
  };
}

/** Parses a whole HTTP/1.1 response as read off a socket (chunked bodies are decoded). */
export function parseRawHttpResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split === -1) throw new Error(`no complete HTTP response in ${JSON.stringify(raw)}`);
  const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    for (;;) {
      const lineEnd = body.indexOf('\r\n');
      const size = Number.parseInt(body.slice(0, lineEnd), 16);
      if (!(size > 0)) break;
      decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

export interface SseEvent {
  event: string;
  data: string;
}

/** A long-lived SSE response held open on its own socket; `destroy()` is the client vanishing. */
export interface RawStream {
  /** Resolves when the response head arrives (the server may only send it with its first bytes). */
  response: Promise<IncomingMessage>;
  /** Everything received so far. */
  text(): string;
  /** The SSE events received so far (comments excluded). */
  events(): SseEvent[];
  /** How many `: keep-alive` comments have arrived. */
  heartbeats(): number;
  /** Resolves when the connection is gone, whoever closed it. */
  closed: Promise<void>;
  readonly isClosed: boolean;
  /** Destroys the socket without a goodbye, like a killed client or a dropped network. */
  destroy(): void;
}

export function openRawStream(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: object }): RawStream {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const req = request(new URL(path, base), {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    agent: false,
    headers: {
      accept: ACCEPT_BOTH,
      ...(body !== undefined && { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
      ...options.headers,
    },
  });
  let text = '';
  let isClosed = false;
  const closed = new Promise<void>((resolve) => {
    req.once('close', () => {
      isClosed = true;
      resolve();
    });
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', (res) => {
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('error', () => {});
      resolve(res);
    });
    req.once('error', reject);
  });
  // Destroying the request rejects `response` when no head came yet: that is expected.
  response.catch(() => {});
  req.on('error', () => {});
  req.end(body);
  return {
    response,
    text: () => text,
    events: () => parseSse(text),
    heartbeats: () => text.split('\n').filter((line) => line === ': keep-alive').length,
    closed,
    get isClosed() {
      return isClosed;
    },
    destroy: () => {
      req.destroy();
    },
  };
}

/** Parses complete SSE events (those followed by a blank line); comment lines are skipped. */
export function parseSse(text: string): SseEvent[] {
  const normalized = text.replace(/\r\n?/g, '\n');
  const complete = normalized.slice(0, normalized.lastIndexOf('\n\n') + 2);
  const events: SseEvent[] = [];
  for (const block of complete.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    let event = 'message';
    const data: string[] = [];
    for (const line of lines) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    events.push({ event, data: data.join('\n') });
  }
  return events;
}

// --- JSON-RPC messages for both protocol eras --------------------------------------------------

let nextId = 1;

/** Headers of a 2025-era request after `initialize` (stateless: no session id). */
export const legacyHeaders = { accept: ACCEPT_BOTH, 'mcp-protocol-version': LEGACY_VERSION } as const;

export function initializeRequest(clientName = 'raw-test') {
  return {
    jsonrpc: '2.0',
    id: nextId++,
    method: 'initialize',
    params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: { name: clientName, version: '1.0.0' } },
  } as const;
}

export function toolCallRequest(name: string, args: Record<string, unknown>) {
  return { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } } as const;
}

/** The 2026-07-28 per-request envelope: the protocol version and client rides in `_meta`. */
export function envelope(clientName = 'raw-test') {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientInfo': { name: clientName, version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

/** Headers a 2026-07-28 client sends with a request: they must agree with the body. */
export function modernHeaders(method: string, name?: string): Record<string, string> {
  return {
    accept: ACCEPT_BOTH,
    'mcp-protocol-version': MODERN_VERSION,
    'mcp-method': method,
    ...(name !== undefined && { 'mcp-name': name }),
  };
}

/** A 2026-07-28 `subscriptions/listen`: the era's long-lived notification stream. */
export function listenRequest(clientName = 'raw-test') {
  return {
    jsonrpc: '2.0',
    id: nextId++,
    method: 'subscriptions/listen',
    params: { notifications: { toolsListChanged: true }, _meta: envelope(clientName) },
  } as const;
}

export function modernToolCallRequest(name: string, args: Record<string, unknown>, clientName = 'raw-test') {
  return { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args, _meta: envelope(clientName) } } as const;
}

/** A slow tool call streamed over SSE (2025 era): the server holds the stream open while it waits. */
export function openSlowCall(base: string, seconds = 60, note = 'stream-test'): RawStream {
  return openRawStream(base, '/mcp', { headers: legacyHeaders, body: toolCallRequest('watch_note', { note, seconds }) });
}

/** A 2026-07-28 `subscriptions/listen` stream: open until the client or the server ends it. */
export function openListenStream(base: string): RawStream {
  return openRawStream(base, '/mcp', { headers: modernHeaders('subscriptions/listen'), body: listenRequest() });
}

// --- metrics, polling, descriptors ----------------------------------------------------------------

export async function scrapeMetrics(base: string): Promise<string> {
  const response = await rawRequest(base, '/metrics');
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.body;
}

/**
 * The value of one Prometheus series: the sum of every series of `name` whose labels include
 * `labels` (0 when none exists yet, as for a counter never incremented).
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const seriesLabels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => seriesLabels[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

export async function metric(base: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricValue(await scrapeMetrics(base), name, labels);
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls until `check` returns a truthy value and resolves with it; fails with `describe()` after the deadline. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25, describe = () => 'condition' }: { timeoutMs?: number; intervalMs?: number; describe?: () => string | Promise<string> } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Polls `/readyz` until it answers 200, as a readiness probe would: dependencies may need a
 * moment after start (the embedded database, for one, takes a second or two).
 */
export async function waitUntilReady(base: string): Promise<void> {
  await waitFor(async () => (await rawRequest(base, '/readyz')).status === 200, { timeoutMs: 30_000, describe: () => '/readyz to answer 200' });
}

/** Polls a metric until it equals `expected`; the error names the last value seen. */
export async function waitForMetric(
  base: string,
  name: string,
  labels: Record<string, string>,
  expected: number,
  timeoutMs = 10_000,
): Promise<void> {
  let last = NaN;
  await waitFor(
    async () => {
      last = await metric(base, name, labels);
      return last === expected;
    },
    { timeoutMs, describe: () => `${name}${JSON.stringify(labels)} to be ${expected} (last: ${last})` },
  );
}

/** This process's open file descriptors, or undefined where /proc is missing (macOS, Windows). */
export function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

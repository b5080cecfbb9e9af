import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach } from 'vitest';

/** One span as OTLP/JSON carries it (ids in hex), with its resource's attributes beside it. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}

export interface OtlpRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface OtlpReceiver {
  /** Give this as OTEL_EXPORTER_OTLP_ENDPOINT (the exporters add `/v1/traces`, `/v1/metrics`). */
  url: string;
  requests: OtlpRequest[];
  /** Every span received as OTLP/JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). */
  spans(): ReceivedSpan[];
  /** The names of every metric received as OTLP/JSON. */
  metricNames(): string[];
  close(): Promise<void>;
}

/**
 * A stand-in OpenTelemetry collector on a free loopback port: it accepts OTLP/HTTP (JSON or
 * protobuf) exports, answers 200 and keeps them for assertions. Real exporters, real sockets.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const jsonBodies = (path: string) =>
    requests.filter((request) => request.path === path && request.contentType.includes('json')).map((request) => JSON.parse(request.body.toString('utf8')) as OtlpJson);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () => jsonBodies('/v1/traces').flatMap(spansOf),
    metricNames: () =>
      jsonBodies('/v1/metrics').flatMap((body) => (body.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((metric) => metric.name)))),
    close: () => closeServer(server),
  };
}

/** For each test: a fresh receiver, closed after it. Read it inside the test only. */
export function useOtlpReceiver(): OtlpReceiver {
  let current: OtlpReceiver | undefined;
  beforeEach(async () => {
    current = await startOtlpReceiver();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const receiver = () => {
    if (!current) throw new Error('the OTLP receiver runs only while a test runs');
    return current;
  };
  return {
    get url() {
      return receiver().url;
    },
    get requests() {
      return receiver().requests;
    },
    spans: () => receiver().spans(),
    metricNames: () => receiver().metricNames(),
    close: () => receiver().close(),
  };
}

/**
 * A collector that accepts connections and never answers: what an exporter sees when the
 * collector hangs or a network path black-holes its packets.
 */
export async function startDeadCollector(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(() => {
    // Never respond.
  });
  server.on('connection', (socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: JsonSpan[] }[];
  }[];
  resourceMetrics?: { scopeMetrics?: { metrics?: { name: string }[] }[] }[];
}

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: KeyValue[];
  links?: { traceId: string; spanId: string }[];
}

function spansOf(body: OtlpJson): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId })),
        resource,
      })),
    );
  });
}

/** OTLP/JSON wraps each value as `{ stringValue }`, `{ intValue }`, …: unwrap to plain values. */
function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

// What OpenTelemetry costs a generated HTTP server: start-up time (spawn to `listening`) and
// tools/call throughput with tracing off (no OTEL_* set: the SDK is never loaded) and on (OTLP/HTTP
// to a collector stand-in on loopback that answers 200), measured in interleaved rounds. Also the
// import time of `@opentelemetry/api`, the one OpenTelemetry module loaded when tracing is off.
//
// Standalone: `node bench/otel.mjs [generated-repo]` (without one, generates an HTTP server with
// its dependencies installed into a temporary folder). `benchOtel()` returns a markdown section.
// `npm run bench` uses `httpTracingVariants()`: tracing on as one more server in bench/http.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A collector stand-in: accepts every OTLP/HTTP export and counts the bytes. */
async function startSink() {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, bytes: () => bytes, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Spawns the built server on a free port; resolves when it logs `listening`, with how long that took. */
async function startServer(repo, env) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'otel-bench-data-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/index.js'], {
    cwd: repo,
    env: { PATH: process.env.PATH, MCP_TRANSPORT: 'http', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(err);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${err}`)));
  });
  return { child, dataDir, url: `http://127.0.0.1:${port}`, startupMs: performance.now() - started };
}

async function stop(server) {
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
  rmSync(server.dataDir, { recursive: true, force: true });
}

const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function call(url, agent, id) {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'search_notes', arguments: { query: 'bench' }, _meta: { ...envelope, traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` } },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/mcp`, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'search_notes',
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Completed tools/call per second over ROUND_MS with CONCURRENCY callers. */
async function throughput(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deadline = performance.now() + ROUND_MS;
  let done = 0;
  let id = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await call(url, agent, ++id);
        done++;
      }
    }),
  );
  agent.destroy();
  return done / (ROUND_MS / 1000);
}

function apiImportMs(repo) {
  const script = `const t = performance.now(); await import('@opentelemetry/api'); process.stdout.write(String(performance.now() - t));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' }));
}

function generateRepo() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'otel-bench-'));
  const repo = path.join(dir, 'otel-bench');
  execFileSync(process.execPath, [cli, repo, '--yes', '--transport', 'http', '--no-git'], { stdio: 'ignore' });
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
  return { repo, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Tracing on, as one more server in bench/http.mjs's interleaved rounds (section 3 of the report):
 * the generated server exporting every span over OTLP/HTTP to a collector stand-in on loopback.
 */
export async function httpTracingVariants() {
  const sink = await startSink();
  return [
    {
      label: 'tracing on (OTLP/HTTP to a loopback collector stand-in)',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench' },
      stop: sink.close,
      exportedBytes: sink.bytes,
    },
  ];
}

export async function benchOtel(existingRepo) {
  const generated = existingRepo ? undefined : generateRepo();
  const repo = existingRepo ?? generated.repo;
  const sink = await startSink();
  const modes = {
    off: {},
    on: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'otel-bench' },
  };
  const startup = { off: [], on: [] };
  const rate = { off: [], on: [] };
  try {
    for (let i = 0; i < STARTS; i++) {
      for (const mode of ['off', 'on']) {
        const server = await startServer(repo, modes[mode]);
        startup[mode].push(server.startupMs);
        await stop(server);
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['off', 'on']) {
        const server = await startServer(repo, modes[mode]);
        await throughput(server.url); // warm-up
        rate[mode].push(await throughput(server.url));
        await stop(server);
      }
    }
    const api = Array.from({ length: 5 }, () => apiImportMs(repo));
    const row = (label, off, on, unit, digits) =>
      `| ${label} | ${off.toFixed(digits)} ${unit} | ${on.toFixed(digits)} ${unit} | ${(on / off).toFixed(2)} |`;
    return `## OpenTelemetry: tracing off vs on

Generated HTTP server; tracing on = OTLP/HTTP (protobuf) to a loopback collector stand-in
(${Math.round(sink.bytes() / 1024)} KiB received). Medians of ${STARTS} starts and ${ROUNDS} rounds of ${ROUND_MS} ms,
${CONCURRENCY} concurrent 2026-07-28 \`tools/call search_notes\` with a \`_meta.traceparent\`.

| | off | on | on/off |
| --- | --- | --- | --- |
${row('start-up (spawn to listening)', median(startup.off), median(startup.on), 'ms', 0)}
${row('tools/call throughput', median(rate.off), median(rate.on), 'calls/s', 0)}

With tracing off the OpenTelemetry SDK is not loaded; \`@opentelemetry/api\` (log-line trace
fields, the no-op metrics API) imports in ${median(api).toFixed(1)} ms (median of 5).
`;
  } finally {
    await sink.close();
    generated?.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(await benchOtel(process.argv[2]));
}

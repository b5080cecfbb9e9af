// A generated HTTP server against a bare v2 SDK server running the same tool code, measured in
// interleaved rounds; then memory and descriptors with 1,000 open streams and after 10,000
// open/abort cycles. Everything runs on loopback with bounded loops.
//
// Tracing: bench/otel.mjs's `httpTracingVariants()` gives [{ label, env, stop(), exportedBytes() }],
// each one more generated server (its `env` added: tracing on, exporting to a collector stand-in
// it started) measured in the same interleaved rounds; `stop` runs at the end.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { cli, plural, size, spread, stats } from './lib.mjs';
import { httpTracingVariants } from './otel.mjs';

const ROUNDS = size('BENCH_ROUNDS', 10, 2);
const ROUND_MS = size('BENCH_ROUND_MS', 2_000, 300);
const CONCURRENCY = size('BENCH_CONCURRENCY', 16, 4);
const OPEN_STREAMS = size('BENCH_OPEN_STREAMS', 1_000, 10);
const CYCLES = size('BENCH_CYCLES', 10_000, 200);
const BATCH = Math.min(100, CYCLES);

/**
 * For the streams section (STREAMS=1): the SDK's `toNodeHandler` sends an SSE response's headers
 * only with its first event; the generated server sends them at once, so the client knows its
 * call is open. The bare servers do the same when measured with open streams.
 */
const FLUSH_HEADERS_FOR_STREAMS = `function forStreams(res) {
  if (process.env.STREAMS !== '1') return;
  const writeHead = res.writeHead;
  res.writeHead = (...args) => {
    writeHead.apply(res, args);
    res.flushHeaders();
    return res;
  };
}`;

const BARE_SERVER_FACTORY = `// The generated server factory (all tools, resources, prompt, call wrapper) behind the SDK's HTTP alone.
import { createServer } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { loadConfig } from './dist/config.js';
import { createLogger } from './dist/lib/logger.js';
import { createServices } from './dist/services.js';
import { createServerFactory } from './dist/server.js';
const services = await createServices(loadConfig(), createLogger('silent'));
const nodeHandler = toNodeHandler(createMcpHandler(createServerFactory(services)));
${FLUSH_HEADERS_FOR_STREAMS}
const server = createServer((req, res) => {
  forStreams(res);
  return nodeHandler(req, res);
});
server.listen(0, '127.0.0.1', () => process.stderr.write(JSON.stringify({ msg: 'listening', port: server.address().port }) + '\\n'));
`;

const BARE_SERVER = `// The same tool, served by the SDK alone: no guards, stream registry, metrics or caps.
import { createServer } from 'node:http';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { loadConfig } from './dist/config.js';
import { createLogger } from './dist/lib/logger.js';
import { createServices } from './dist/services.js';
import { searchNotes } from './dist/tools/search-notes.js';
import { watchNote } from './dist/tools/watch-note.js';

const services = await createServices(loadConfig(), createLogger('silent'));
// BARE_TOOLS=watch_note serves the long-running tool instead, for the streams section.
const tool = process.env.BARE_TOOLS === 'watch_note' ? watchNote : searchNotes;
const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'bare', version: '1.0.0' });
  const { name, description, inputSchema } = tool;
  server.registerTool(name, { description, inputSchema }, (input, ctx) =>
    tool.run(input, { signal: ctx.mcpReq.signal, logger: services.logger, services }),
  );
  return server;
});
const nodeHandler = toNodeHandler(handler);
${FLUSH_HEADERS_FOR_STREAMS}
const server = createServer((req, res) => {
  forStreams(res);
  return nodeHandler(req, res);
});
server.listen(0, '127.0.0.1', () => process.stderr.write(JSON.stringify({ msg: 'listening', port: server.address().port }) + '\\n'));
`;

const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
/** A 2026-07-28 request: the method and tool name travel in headers too (SEP-2243), and must agree with the body. */
function toolCall(id, name, args) {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: envelope } }),
  };
}

const step = (message) => process.stderr.write(`bench http: ${message}\n`);

/**
 * Loaded into the servers whose streams are measured: SIGUSR2 runs a full garbage collection and
 * reports heap and RSS right after, so heap figures count what is retained, not garbage that
 * happens to be uncollected yet (and a bare server with no /metrics reports them too).
 */
const COLLECT_ON_SIGNAL = `data:text/javascript,${encodeURIComponent(
  `process.on('SIGUSR2', () => { globalThis.gc(); const m = process.memoryUsage(); process.stderr.write(JSON.stringify({ msg: 'bench: collected', heapUsed: m.heapUsed, rss: m.rss }) + '\\n'); });`,
)}`;

async function startServer(repo, script, env, { collectOnSignal = false } = {}) {
  const nodeArgs = collectOnSignal ? ['--expose-gc', '--import', COLLECT_ON_SIGNAL] : [];
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: repo,
    env: { PATH: process.env.PATH, MCP_TRANSPORT: 'http', PORT: '0', DATA_DIR: path.join(repo, '.data'), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const line = stderr.split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line) return { child, url: `http://127.0.0.1:${JSON.parse(line).port}`, stderr: () => stderr };
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function stop(server) {
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
}

/** A process's CPU time (user + system) in ms, from /proc on Linux; null elsewhere. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();
function cpuMs(pid) {
  try {
    // Fields after the command name (which may contain spaces); utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CONCURRENCY workers calling the tool back to back for ROUND_MS; returns throughput, latencies
 * and the server's CPU time per call (steadier than throughput on a busy machine: other
 * processes slow a server down, but hardly change the work each call costs it).
 */
async function load({ url, child }) {
  const cpuBefore = cpuMs(child.pid);
  const latencies = [];
  const until = performance.now() + ROUND_MS;
  let id = 0;
  let errors = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const worker = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const status = await post(`${url}/mcp`, toolCall(++id, 'search_notes', { query: 'bench' }), agent);
      if (status !== 200) errors++;
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const cpuAfter = cpuMs(child.pid);
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    cpuMsPerCall: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / latencies.length,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    errors,
  };
}

function post(url, { headers, body }, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Opens a long watch_note call and resolves once its SSE response has started. 2025-era requests
 * get an SSE response at once (2026-07-28 ones answer JSON when the call ends).
 */
function openStream(url, id) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
  const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'watch_note', arguments: { note: 'bench', seconds: 60 } } });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/mcp`, { method: 'POST', headers, agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`stream request answered ${res.statusCode}`));
      resolve({ req, res });
    });
    req.on('error', (error) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

/** Opens a 2026-07-28 `subscriptions/listen` stream: the long-lived kind MAX_CONNECTIONS caps. */
function openListenStream(url, id) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'subscriptions/listen',
  };
  const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope } });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/mcp`, { method: 'POST', headers, agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`listen request answered ${res.statusCode}`));
      res.resume();
      resolve({ req, res });
    });
    req.on('error', (error) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

/** `/metrics` over a connection of its own, closed after: a kept-alive one would count as an open descriptor. */
function readMetrics(url) {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/metrics`, { agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}

function metricIn(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

async function metric(url, name) {
  return metricIn(await readMetrics(url), name);
}

async function until(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Memory and descriptors of a server started with `collectOnSignal`, right after a full garbage
 * collection; open streams from its `/metrics` when it has them (the bare server has none).
 */
async function snapshot(server, { withMetrics = true } = {}) {
  const collected = () => server.stderr().split('\n').filter((line) => line.includes('"msg":"bench: collected"'));
  const before = collected().length;
  server.child.kill('SIGUSR2');
  await until(async () => collected().length > before, 'a garbage collection', 10_000);
  const { heapUsed, rss } = JSON.parse(collected().at(-1));
  const memory = { rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20 };
  if (!withMetrics) return { streams: NaN, fds: openFds(server.child.pid), ...memory };
  const text = await readMetrics(server.url);
  return { streams: metricIn(text, 'mcp_open_streams{kind="streamable-http"}'), fds: metricIn(text, 'process_open_fds'), ...memory };
}

/** A process's open descriptors, from /proc on Linux. */
function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/**
 * A few streams opened and closed before the first snapshot, so what a server builds on first
 * use (compiled code, caches) is not counted as the streams' own. Closed means its descriptors are
 * back, which a server without `/metrics` shows too.
 */
async function warmUp(server, openOne) {
  const fds = openFds(server.child.pid);
  const warm = await Promise.all(Array.from({ length: Math.min(20, OPEN_STREAMS) }, (_, i) => openOne(server.url, 1_000_000 + i)));
  for (const { req } of warm) req.destroy();
  await until(async () => openFds(server.child.pid) <= fds, 'warm-up streams to close');
}

/** Heap and RSS per open stream, and descriptors: `OPEN_STREAMS` long calls (or listen streams) opened on `server`, then aborted. */
async function measureOpenStreams(server, { withMetrics, open: openOne = openStream }) {
  await warmUp(server, openOne);
  const before = await snapshot(server, { withMetrics });
  const open = [];
  for (let i = 0; i < OPEN_STREAMS; i++) open.push(await openOne(server.url, i));
  if (withMetrics) await until(async () => (await metric(server.url, 'mcp_open_streams{kind="streamable-http"}')) === OPEN_STREAMS, 'streams to open');
  const during = await snapshot(server, { withMetrics });
  for (const { req } of open) req.destroy();
  if (withMetrics) await until(async () => (await metric(server.url, 'mcp_open_streams{kind="streamable-http"}')) === 0, 'streams to close');
  const after = await snapshot(server, { withMetrics });
  const perStream = (field) => ((during[field] - before[field]) * 1024) / OPEN_STREAMS;
  return { before, during, after, heapKb: perStream('heapMb'), rssKb: perStream('rssMb'), fds: (during.fds - before.fds) / OPEN_STREAMS };
}

export async function benchHttp() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-http-'));
  const repo = path.join(scratch, 'bench-server');
  let tracing = [];
  try {
    step('generating and installing a server');
    execFileSync(process.execPath, [cli, repo, '--yes', '--transport', 'http', '--no-git', '--no-install'], { stdio: 'ignore' });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'ignore' });
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
    writeFileSync(path.join(repo, 'bare-server.mjs'), BARE_SERVER);
    writeFileSync(path.join(repo, 'bare-factory.mjs'), BARE_SERVER_FACTORY);

    const generated = await startServer(repo, 'dist/index.js', { MAX_CONNECTIONS: String(Math.max(OPEN_STREAMS, BATCH) * 2) }, { collectOnSignal: true });
    const bareFactory = await startServer(repo, 'bare-factory.mjs', {});
    const bare = await startServer(repo, 'bare-server.mjs', {});
    tracing = await httpTracingVariants();
    const traced = {};
    for (const [index, variant] of tracing.entries()) traced[`traced${index}`] = await startServer(repo, 'dist/index.js', variant.env);
    const servers = { generated, bareFactory, bare, ...traced };
    const results = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
    step('throughput rounds');
    for (const server of Object.values(servers)) await load(server); // warm-up
    // Every other round runs the servers in reverse order: a server measured right after another
    // (or always first) would otherwise carry that position's share of the machine's drift.
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? Object.entries(servers) : Object.entries(servers).reverse();
      for (const [name, server] of order) results[name].push(await load(server));
    }
    await stop(bare);
    await stop(bareFactory);
    for (const name of Object.keys(traced)) await stop(traced[name]);
    // Read once the traced servers have exited: they flush their last spans on the way out.
    const exportedKiB = tracing.map((variant) => variant.exportedBytes() / 1024);

    // Ratios are taken round by round (servers measured within seconds of each other), then their median.
    const perRound = (runs, base, field) => stats(runs.map((run, round) => run[field] / base[round][field]));
    const summary = (runs) => ({
      runs,
      rps: stats(runs.map((r) => r.rps)),
      p50: stats(runs.map((r) => r.p50)),
      p99: stats(runs.map((r) => r.p99)),
      cpu: stats(runs.map((r) => r.cpuMsPerCall)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
    });
    const g = summary(results.generated);
    const f = summary(results.bareFactory);
    const b = summary(results.bare);
    const tracedRows = tracing.map((variant, index) => ({ label: variant.label, exportedKiB: exportedKiB[index], ...summary(results[`traced${index}`]) }));

    // Streams: memory and descriptors with OPEN_STREAMS open, then after CYCLES open/abort cycles.
    step(`opening ${OPEN_STREAMS} streams`);
    const opened = await measureOpenStreams(generated, { withMetrics: true });
    const { before, during, after: afterOpen } = opened;
    // The same long tool behind the SDK alone: what an open call costs before anything of ours.
    const bareStreams = await startServer(repo, 'bare-server.mjs', { BARE_TOOLS: 'watch_note', STREAMS: '1' }, { collectOnSignal: true });
    const bareOpened = await measureOpenStreams(bareStreams, { withMetrics: false });
    await stop(bareStreams);
    // The generated factory behind the SDK alone: what the full server instance each open call holds adds.
    const bareFactoryStreams = await startServer(repo, 'bare-factory.mjs', { STREAMS: '1' }, { collectOnSignal: true });
    const bareFactoryOpened = await measureOpenStreams(bareFactoryStreams, { withMetrics: false });
    await stop(bareFactoryStreams);

    // Listen streams hold no running call: what an idle subscriber costs, ours beside the bare SDK's.
    step(`opening ${OPEN_STREAMS} listen streams`);
    const listening = await measureOpenStreams(generated, { withMetrics: true, open: openListenStream });
    const bareListen = await startServer(repo, 'bare-server.mjs', { STREAMS: '1' }, { collectOnSignal: true });
    const bareListening = await measureOpenStreams(bareListen, { withMetrics: false, open: openListenStream });
    await stop(bareListen);

    step(`${CYCLES} open/abort cycles`);
    for (let done = 0; done < CYCLES; done += BATCH) {
      const batch = await Promise.all(Array.from({ length: BATCH }, (_, i) => openStream(generated.url, done + i)));
      for (const { req } of batch) req.destroy();
    }
    await until(async () => (await metric(generated.url, 'mcp_open_streams{kind="streamable-http"}')) === 0, 'cycled streams to close');
    await until(async () => (await metric(generated.url, 'mcp_inflight_tool_calls')) === 0, 'aborted calls to end');
    const afterCycles = await snapshot(generated);
    await stop(generated);

    const row = (name, s) =>
      `| ${name} | ${Number.isNaN(s.streams) ? 0 : s.streams} | ${s.fds} | ${s.rssMb.toFixed(1)} | ${s.heapMb.toFixed(1)} |`;
    const percent = (s) => `${(s.median * 100).toFixed(1)}% (${(s.min * 100).toFixed(0)}–${(s.max * 100).toFixed(0)}%)`;
    const times = (s) => `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
    const share = (a, base) => percent(perRound(a.runs, base.runs, 'rps'));
    const cpuRatio = (a, base) => times(perRound(a.runs, base.runs, 'cpuMsPerCall'));
    const p99Ratio = (a, base) => times(perRound(a.runs, base.runs, 'p99'));
    const line = (name, r, base) =>
      `| ${name} | ${spread(r.rps, 0)} | ${base ? share(r, base) : 'reference'} | ${spread(r.p50, 2)} | ${spread(r.p99, 2)} | ${spread(r.cpu, 3)} | ${base ? cpuRatio(r, base) : 'reference'} | ${r.errors} |`;
    const throughput = `## 3. Generated HTTP server vs bare v2 SDK servers

\`tools/call\` of \`search_notes\` over Streamable HTTP (2026-07-28, stateless), ${CONCURRENCY} concurrent
keep-alive clients, ${plural(ROUNDS, 'interleaved round')} of ${ROUND_MS / 1000} s each after a warm-up round, every other
round in reverse order; median (min–max) of the rounds. Ratios are taken within each round, against the
reference measured seconds before or after, and their median (min–max) is shown. All servers run the same
compiled tool code from the generated repo.
CPU ms per call is the server process's own CPU time (user + system) over the round divided by
the calls it answered: on a busy machine it moves much less than calls/s.

| server | calls/s | of bare one-tool | p50 ms | p99 ms | CPU ms per call | CPU of bare one-tool | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${line('bare SDK HTTP serving a factory with only this one tool, unwrapped', b)}
${line('bare SDK HTTP (\`createMcpHandler\` + \`toNodeHandler\`) serving the generated server factory, a new instance per request', f, b)}
${line('generated: \`npm start\` (idle instances reused; guards, stream registry, metrics, handshake log, drain), tracing off', g, b)}
${tracedRows.map((r) => line(`generated, ${r.label}`, r, b)).join('\n')}

- Building the generated server for every request (the generated factory vs the one-tool factory, both on bare HTTP): ${share(f, b)} of the throughput, CPU per call ${cpuRatio(f, b)}.
  This part grows with the number of registrations; the generated server avoids it by reusing idle instances for 2026-07-28 requests (\`src/lib/server-reuse.ts\`).
- The generated server vs the bare HTTP building its factory per request (reuse, plus every production layer): ${share(g, f)} of the throughput, p99 ${p99Ratio(g, f)}, CPU per call ${cpuRatio(g, f)}.
- Goal: the generated server at 95% or more of the bare one-tool server, p99 no worse: ${share(g, b)} of its throughput, p99 ${p99Ratio(g, b)} (${perRound(g.runs, b.runs, 'rps').median >= 0.95 && perRound(g.runs, b.runs, 'p99').median <= 1 ? 'met' : 'not met'}).
${tracedRows.map((r) => `- Generated, ${r.label}, vs tracing off: ${share(r, g)} of the throughput, p99 ${p99Ratio(r, g)}, CPU per call ${cpuRatio(r, g)} (${r.exportedKiB.toFixed(0)} KiB of spans received).`).join('\n')}
`;
    const streams = `## 4. Streams: ${OPEN_STREAMS} open, then ${CYCLES} open/abort cycles

Long \`watch_note\` calls (2025-era requests, answered as SSE streams) opened and then aborted by the client; figures from the server's own \`/metrics\` (one run),
each read right after a full garbage collection (the server runs with \`--expose-gc\`), so heap used is what is retained.

| moment | open streams | open fds | RSS MB | heap used MB |
| --- | ---: | ---: | ---: | ---: |
${row('before', before)}
${row(`${OPEN_STREAMS} streams open`, during)}
${row('after aborting them', afterOpen)}
${row(`after ${CYCLES} open/abort cycles`, afterCycles)}

Per open stream: ${opened.heapKb.toFixed(1)} KB of heap, ${opened.rssKb.toFixed(1)} KB RSS, ${opened.fds.toFixed(2)} fds (goal: under 3 KB).
The same ${OPEN_STREAMS} calls on the bare SDK server serving only \`watch_note\` (no layers of ours): ${bareOpened.heapKb.toFixed(1)} KB of heap, ${bareOpened.rssKb.toFixed(1)} KB RSS, ${bareOpened.fds.toFixed(2)} fds per open stream
(ours: ${(opened.heapKb / bareOpened.heapKb).toFixed(2)}× its heap). On bare SDK HTTP serving the generated factory (every tool, resource and prompt on the instance each open call holds): ${bareFactoryOpened.heapKb.toFixed(1)} KB of heap per open stream.
Of the ${(opened.heapKb - bareOpened.heapKb).toFixed(1)} KB ours holds beyond the bare one-tool server, ${(bareFactoryOpened.heapKb - bareOpened.heapKb).toFixed(1)} KB is that fuller instance and ${(opened.heapKb - bareFactoryOpened.heapKb).toFixed(1)} KB our layers.
Each open call holds the server instance serving it, so no instance can be reused while a stream is open.
Listen streams (2026-07-28 \`subscriptions/listen\`, the long-lived kind MAX_CONNECTIONS caps; ${OPEN_STREAMS} open, no call running): ${listening.heapKb.toFixed(1)} KB of heap and ${listening.fds.toFixed(2)} fds per stream;
on the bare SDK server: ${bareListening.heapKb.toFixed(1)} KB of heap per stream (ours: ${(listening.heapKb / bareListening.heapKb).toFixed(2)}× its heap).
Descriptors after the cycles vs before: ${afterCycles.fds - before.fds >= 0 ? '+' : ''}${afterCycles.fds - before.fds} (goal: back to the baseline).
`;
    return {
      sections: { 3: throughput, 4: streams },
      data: {
        rounds: ROUNDS,
        roundMs: ROUND_MS,
        concurrency: CONCURRENCY,
        generated: g,
        bareFactory: f,
        bare: b,
        generatedOfBare: { rps: perRound(g.runs, b.runs, 'rps'), p99: perRound(g.runs, b.runs, 'p99'), cpuMsPerCall: perRound(g.runs, b.runs, 'cpuMsPerCall') },
        traced: tracedRows,
        streams: { before, during, afterOpen, afterCycles, perStream: { heapKb: opened.heapKb, rssKb: opened.rssKb, fds: opened.fds } },
        listenStreams: { perStream: { heapKb: listening.heapKb, rssKb: listening.rssKb, fds: listening.fds } },
        bareListenStreams: { perStream: { heapKb: bareListening.heapKb, rssKb: bareListening.rssKb, fds: bareListening.fds } },
        bareStreams: { before: bareOpened.before, during: bareOpened.during, perStream: { heapKb: bareOpened.heapKb, rssKb: bareOpened.rssKb, fds: bareOpened.fds } },
        bareFactoryStreams: {
          before: bareFactoryOpened.before,
          during: bareFactoryOpened.during,
          perStream: { heapKb: bareFactoryOpened.heapKb, rssKb: bareFactoryOpened.rssKb, fds: bareFactoryOpened.fds },
        },
      },
    };
  } finally {
    for (const variant of tracing) await variant.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

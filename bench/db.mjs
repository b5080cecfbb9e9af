// Database option: a pool against one shared connection for concurrent short queries, and the
// cost of shaping a 10 MB page of rows into a capped result. Needs a PostgreSQL server:
// BENCH_DATABASE_URL (or E2E_DATABASE_URL, as .ci/run sets); `.ci/postgres start` starts one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMOKE, cli, plural, size, spread, stats } from './lib.mjs';

const step = (message) => process.stderr.write(`bench db: ${message}\n`);
const SHAPE_RUNS = size('BENCH_SHAPE_RUNS', 5, 1);
/** Section 6's page: 100 rows of ROW_KB (100 KB: 10 MB in all). */
const ROW_KB = size('BENCH_ROW_KB', 100, 1);
/** Section 6's query result: 100 rows of QUERY_ROW_BYTES (4 MB: 400 MB in all). */
const QUERY_ROW_BYTES = size('BENCH_QUERY_ROW_BYTES', 4_000_000, 4_000);
/** Concurrent callers of query_database in the throughput rounds (fewer than the 64 PGlite lets wait). */
const TOOL_WORKERS = size('BENCH_TOOL_WORKERS', 50, 4);

const POOL_SCRIPT = `// Concurrent short queries: the generated pool (DB_POOL_MAX=10) against one shared connection.
import pg from 'pg';
import { PostgresDatabase } from './dist/db/postgres.js';
import { createLogger } from './dist/lib/logger.js';

const url = process.env.URL;
const WORKERS = 50, ROUND_MS = Number(process.env.ROUND_MS), ROUNDS = Number(process.env.ROUNDS);
const SQL = 'SELECT count(*) FROM generate_series(1, 2000)';

async function run(query) {
  const latencies = [];
  const until = performance.now() + ROUND_MS;
  const worker = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      await query();
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, worker));
  latencies.sort((a, b) => a - b);
  return { qps: latencies.length / ((performance.now() - started) / 1000), p99: latencies[Math.floor(latencies.length * 0.99)] };
}

const pool = new PostgresDatabase({ url, poolMax: 10, statementTimeoutMs: 5000 }, createLogger('silent'));
const single = new pg.Client({ connectionString: url });
await single.connect();
const results = { pool: [], single: [] };
for (let round = 0; round < ROUNDS; round++) {
  results.pool.push(await run(() => pool.withConnection((c) => c.query(SQL))));
  results.single.push(await run(() => single.query(SQL)));
}
await pool.close();
await single.end();
process.stdout.write(JSON.stringify(results));
`;

const SHAPE_SCRIPT = `// One page of 100 rows of 100 KB each (10 MB), shaped as query_database does; reports time and peak RSS.
import { pagedResult } from './dist/lib/results.js';

// Per row ROW_KB KB of JSON, multi-byte text included: 35% 'ü' (2 bytes each), the rest 'x'.
const kb = Number(process.env.ROW_KB);
const rows = Array.from({ length: 100 }, (_, i) => ({ n: i, note: 'ü'.repeat(350 * kb) + 'x'.repeat(300 * kb) }));
const bytes = Buffer.byteLength(JSON.stringify(rows));
const started = performance.now();
let text = '';
if (process.env.SHAPE === '1') text = pagedResult({ key: 'rows', items: rows, more: false, maxChars: 8000, cursorAfter: (shown) => String(shown) }).text;
else text = JSON.stringify(rows);
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ bytes, ms, chars: text.length, maxRssKb: process.resourceUsage().maxRSS }));
`;

const LOAD_SCRIPT = `// query_database's path under load and on a 400 MB result: latency, error mix, peak RSS, event-loop stalls.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PostgresDatabase } from './dist/db/postgres.js';
import { createLogger } from './dist/lib/logger.js';

// The bench connects as whatever BENCH_DATABASE_URL is (a superuser in CI): allowed here only.
const db = new PostgresDatabase({ url: process.env.URL, poolMax: 10, statementTimeoutMs: 60000, allowPrivileged: true }, createLogger('silent'));
const page = (sql, offset = 0) => db.withTransaction((c) => c.page(sql, offset, 100), { readOnly: true });
await page('SELECT 1');

const loop = monitorEventLoopDelay({ resolution: 10 });
const latencies = [];
const mix = {};
loop.enable();
await Promise.all(Array.from({ length: Number(process.env.CALLS) }, async () => {
  const started = performance.now();
  try {
    await page('SELECT pg_sleep(0.005)');
    mix.ok = (mix.ok ?? 0) + 1;
  } catch (error) {
    const kind = error.name === 'DatabaseBusyError' ? 'busy' : 'other: ' + error.message;
    mix[kind] = (mix[kind] ?? 0) + 1;
  }
  latencies.push(performance.now() - started);
}));
loop.disable();
latencies.sort((a, b) => a - b);
const overload = { p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)], mix, loopMaxMs: loop.max / 1e6 };

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const bigLoop = monitorEventLoopDelay({ resolution: 10 });
bigLoop.enable();
let rows = 0;
let offset = 0;
for (let more = true; more; ) {
  const result = await page(\`SELECT n, repeat('x', 1000000) AS v FROM generate_series(1, \${Number(process.env.BIG_ROWS)}) AS n\`, offset);
  rows += result.rows.length;
  offset += result.rows.length;
  more = result.more;
}
bigLoop.disable();
clearInterval(sampler);
await db.close();
process.stdout.write(JSON.stringify({ overload, big: { rows, peakRssMb: peakRss / 2 ** 20, loopMaxMs: bigLoop.max / 1e6 } }));
`;

const QUERY_SCRIPT = `// One query_database call whose statement returns 100 rows of QUERY_ROW_BYTES each, through the
// generated tool (read-only transaction, one page, capped text); reports time and peak RSS.
import { loadConfig } from './dist/config.js';
import { createLogger } from './dist/lib/logger.js';
import { closeServices, createServices } from './dist/services.js';
import { queryDatabase } from './dist/tools/query-database.js';

const services = await createServices(loadConfig(), createLogger('silent'));
const sql = \`SELECT n, repeat('x', \${Number(process.env.QUERY_ROW_BYTES)}) AS payload FROM generate_series(1, 100) AS n ORDER BY n\`;
const started = performance.now();
const result = await queryDatabase.run({ sql }, { services, signal: new AbortController().signal, logger: services.logger });
const ms = performance.now() - started;
await closeServices(services);
const text = result.content?.[0]?.text ?? '';
process.stdout.write(JSON.stringify({ ms, chars: text.length, isError: Boolean(result.isError), head: text.split('\\n')[0], maxRssKb: process.resourceUsage().maxRSS }));
`;

const TOOL_LOAD_SCRIPT = `// query_database through the generated tool, in process: WORKERS callers in a loop for ROUND_MS
// on a short query, against PostgreSQL (DATABASE_URL set) or the embedded PGlite (unset).
import { loadConfig } from './dist/config.js';
import { createLogger } from './dist/lib/logger.js';
import { closeServices, createServices } from './dist/services.js';
import { queryDatabase } from './dist/tools/query-database.js';

const services = await createServices(loadConfig(), createLogger('silent'));
await services.db.warmUp();
const sql = 'SELECT count(*) AS n FROM generate_series(1, 2000)';
const call = () => queryDatabase.run({ sql }, { services, signal: new AbortController().signal, logger: services.logger });
await call();
const latencies = [];
const errors = {};
const until = performance.now() + Number(process.env.ROUND_MS);
const started = performance.now();
await Promise.all(Array.from({ length: Number(process.env.WORKERS) }, async () => {
  while (performance.now() < until) {
    const callStarted = performance.now();
    try {
      await call();
    } catch (error) {
      errors[error.message] = (errors[error.message] ?? 0) + 1;
    }
    latencies.push(performance.now() - callStarted);
  }
}));
const seconds = (performance.now() - started) / 1000;
await closeServices(services);
latencies.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ cps: latencies.length / seconds, p99: latencies[Math.floor(latencies.length * 0.99)], errors }));
`;

/** The error messages of several rounds, counted together. */
function sumErrors(runs) {
  const total = {};
  for (const run of runs) for (const [message, count] of Object.entries(run.errors)) total[message] = (total[message] ?? 0) + count;
  return total;
}

function describeErrors(errors) {
  const entries = Object.entries(errors);
  return entries.length === 0 ? '0' : entries.map(([message, count]) => `${count}: ${message}`).join('; ');
}

function median(values) {
  return stats(values).median;
}

export async function benchDb() {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.E2E_DATABASE_URL;
  if (!url) {
    const skipped = 'Skipped: no PostgreSQL. Run `.ci/postgres start` and set `BENCH_DATABASE_URL=$(.ci/postgres url)`.\n';
    return { sections: { 6: `## 6. Result shaping\n\n${skipped}`, 7: `## 7. Database\n\n${skipped}` }, data: { skipped } };
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-db-'));
  const repo = path.join(scratch, 'bench-db');
  try {
    step('generating and installing a server with --db postgres');
    execFileSync(process.execPath, [cli, repo, '--yes', '--db', 'postgres', '--no-git', '--no-install'], { stdio: 'ignore' });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'ignore' });
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
    writeFileSync(path.join(repo, 'bench-pool.mjs'), POOL_SCRIPT);
    writeFileSync(path.join(repo, 'bench-shape.mjs'), SHAPE_SCRIPT);
    writeFileSync(path.join(repo, 'bench-query.mjs'), QUERY_SCRIPT);
    writeFileSync(path.join(repo, 'bench-load.mjs'), LOAD_SCRIPT);
    writeFileSync(path.join(repo, 'bench-tool-load.mjs'), TOOL_LOAD_SCRIPT);

    step('pool vs one shared connection');
    const env = { ...process.env, URL: url, ROUNDS: String(size('BENCH_ROUNDS', 5, 1)), ROUND_MS: String(size('BENCH_ROUND_MS', 3_000, 300)) };
    const pool = JSON.parse(execFileSync(process.execPath, ['bench-pool.mjs'], { cwd: repo, env }).toString());
    const p = { qps: stats(pool.pool.map((r) => r.qps)), p99: stats(pool.pool.map((r) => r.p99)) };
    const s = { qps: stats(pool.single.map((r) => r.qps)), p99: stats(pool.single.map((r) => r.p99)) };

    step('shaping a page of rows');
    const shapeRuns = Array.from({ length: SHAPE_RUNS }, () => ['0', '1'].map((shape) =>
      JSON.parse(execFileSync(process.execPath, ['bench-shape.mjs'], { cwd: repo, env: { ...process.env, SHAPE: shape, ROW_KB: String(ROW_KB) } }).toString()),
    ));
    const plain = shapeRuns.map(([a]) => a);
    const shaped = shapeRuns.map(([, b]) => b);
    const mb = plain[0].bytes / 2 ** 20;
    const plainMs = median(plain.map((r) => r.ms));
    const shapedMs = median(shaped.map((r) => r.ms));
    const plainRss = median(plain.map((r) => r.maxRssKb)) / 1024;
    const shapedRss = median(shaped.map((r) => r.maxRssKb)) / 1024;

    step(`a query_database call returning ${((QUERY_ROW_BYTES * 100) / 2 ** 20).toFixed(0)} MB`);
    // The bench connects as a superuser: allowed here only, the server refuses such a role by default.
    const queryEnv = { ...process.env, DATABASE_URL: url, DB_ALLOW_PRIVILEGED: 'true', DB_STATEMENT_TIMEOUT_MS: '120000', QUERY_ROW_BYTES: String(QUERY_ROW_BYTES), DATA_DIR: path.join(repo, '.data') };
    const queryRuns = Array.from({ length: SHAPE_RUNS }, () => JSON.parse(execFileSync(process.execPath, ['bench-query.mjs'], { cwd: repo, env: queryEnv }).toString()));
    const query = { ms: stats(queryRuns.map((r) => r.ms)), rssMb: stats(queryRuns.map((r) => r.maxRssKb / 1024)), chars: queryRuns[0].chars, head: queryRuns[0].head, isError: queryRuns[0].isError };
    const queryMb = (QUERY_ROW_BYTES * 100) / 2 ** 20;

    step('query_database throughput, PostgreSQL and PGlite in alternate rounds');
    const engines = {
      // As the QUERY_SCRIPT run above: a superuser, allowed here only.
      PostgreSQL: { ...process.env, DATABASE_URL: url, DB_ALLOW_PRIVILEGED: 'true' },
      'PGlite (embedded)': Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'DATABASE_URL')),
    };
    const toolRuns = Object.fromEntries(Object.keys(engines).map((name) => [name, []]));
    for (let round = 0; round < Number(env.ROUNDS); round++) {
      for (const [name, engineEnv] of Object.entries(engines)) {
        const roundEnv = { ...engineEnv, WORKERS: String(TOOL_WORKERS), ROUND_MS: env.ROUND_MS, DATA_DIR: path.join(repo, '.data') };
        toolRuns[name].push(JSON.parse(execFileSync(process.execPath, ['bench-tool-load.mjs'], { cwd: repo, env: roundEnv }).toString()));
      }
    }
    const toolLoad = Object.fromEntries(
      Object.entries(toolRuns).map(([name, runs]) => [name, { cps: stats(runs.map((r) => r.cps)), p99: stats(runs.map((r) => r.p99)), errors: sumErrors(runs) }]),
    );

    const calls = SMOKE ? 50 : 2000;
    const bigRows = SMOKE ? 3 : 400;
    step(`query_database under ${calls} concurrent calls, and a ${bigRows} MB result`);
    const load = JSON.parse(execFileSync(process.execPath, ['bench-load.mjs'], { cwd: repo, env: { ...env, CALLS: String(calls), BIG_ROWS: String(bigRows) } }).toString());

    const shaping = `## 6. Result shaping

One page of 100 rows of ${ROW_KB} KB (${mb.toFixed(1)} MB as JSON, multi-byte text included), capped to
8,000 characters with \`pagedResult\` (whole rows while they fit, a row too big alone shortened in place; valid JSON), against plain
\`JSON.stringify\` of the same rows; separate processes, ${plural(SHAPE_RUNS, 'run')}, medians; peak RSS from
\`process.resourceUsage()\`.

| | ms | peak RSS MB |
| --- | ---: | ---: |
| \`JSON.stringify\` of the page | ${plainMs.toFixed(1)} | ${plainRss.toFixed(1)} |
| \`pagedResult\` to 8,000 chars | ${shapedMs.toFixed(1)} | ${shapedRss.toFixed(1)} |

Shaping costs ${(shapedMs / plainMs).toFixed(2)}× the time of serialising the page once, and
${((shapedRss - plainRss) / mb).toFixed(2)} MB of extra peak memory per MB of data.

A \`query_database\` call (the generated tool, in-process, against PostgreSQL) whose statement
returns 100 rows of ${QUERY_ROW_BYTES.toLocaleString('en')} bytes (${queryMb.toFixed(queryMb < 10 ? 2 : 0)} MB), ${plural(SHAPE_RUNS, 'run')}, median (min–max):
${spread(query.ms, 0)} ms, peak RSS ${spread(query.rssMb, 0)} MB (${(query.rssMb.median / queryMb).toFixed(2)}× the result size);
the model gets ${query.chars.toLocaleString('en')} characters${query.isError ? ' (a tool error)' : ''}: "${query.head}".
`;
    const database = `## 7. Database: pool vs one shared connection

50 concurrent callers running a short query (\`SELECT count(*) FROM generate_series(1, 2000)\`),
interleaved rounds, median (min–max) of the rounds.

| access | queries/s | p99 ms |
| --- | ---: | ---: |
| generated pool (\`DB_POOL_MAX=10\`, \`withConnection\`) | ${spread(p.qps, 0)} | ${spread(p.p99, 1)} |
| one shared \`pg.Client\` (what the seeds warn about) | ${spread(s.qps, 0)} | ${spread(s.p99, 1)} |

The pool serves ${(p.qps.median / s.qps.median).toFixed(2)}× the queries per second of a single connection on this ${os.cpus().length}-core machine.

### \`query_database\` on PostgreSQL and on the embedded PGlite

${TOOL_WORKERS} concurrent callers of the generated tool (in process: read-only transaction, one page, shaped
result) running \`SELECT count(*) AS n FROM generate_series(1, 2000)\`, each engine in its own process,
alternate rounds, median (min–max) of the rounds. PGlite has one connection: callers take turns.

| engine | calls/s | p99 ms | errors |
| --- | ---: | ---: | --- |
${Object.entries(toolLoad)
  .map(([name, r]) => `| ${name} | ${spread(r.cps, 0)} | ${spread(r.p99, 1)} | ${describeErrors(r.errors)} |`)
  .join('\n')}

### Overload and a huge result

${calls.toLocaleString('en')} calls at once on \`DB_POOL_MAX=10\` (\`SELECT pg_sleep(0.005)\` through the tool's
read-only path: a bounded wait for a connection, a clear "busy, retry" past it): p50
${load.overload.p50.toFixed(0)} ms, p99 ${load.overload.p99.toFixed(0)} ms; outcomes ${Object.entries(load.overload.mix).map(([kind, n]) => `${kind} ${n}`).join(', ')};
longest event-loop stall ${load.overload.loopMaxMs.toFixed(0)} ms.

Reading all ${load.big.rows} rows of 1 MB each, page by page: peak RSS ${load.big.peakRssMb.toFixed(0)} MB, longest event-loop stall ${load.big.loopMaxMs.toFixed(0)} ms.
${SMOKE ? '\n(smoke run: sizes too small to mean anything)\n' : ''}`;
    return { sections: { 6: shaping, 7: database }, data: { pool: p, single: s, toolLoad, load, shaping: { mb, plainMs, shapedMs, plainRss, shapedRss }, query: { ...query, mb: queryMb } } };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

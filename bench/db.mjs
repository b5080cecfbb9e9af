// Database option: a pool against one shared connection for concurrent short queries, and the
// cost of shaping a 10 MB page of rows into a capped result. Needs a PostgreSQL server:
// BENCH_DATABASE_URL (or E2E_DATABASE_URL, as .ci/run sets); `.ci/postgres start` starts one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli.js');
const step = (message) => process.stderr.write(`bench db: ${message}\n`);

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

const rows = Array.from({ length: 100 }, (_, i) => ({ n: i, note: 'ü'.repeat(35_000) + 'x'.repeat(30_000) }));
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
await Promise.all(Array.from({ length: 2000 }, async () => {
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
const overload = { p50: latencies[1000], p99: latencies[1980], mix, loopMaxMs: loop.max / 1e6 };

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const bigLoop = monitorEventLoopDelay({ resolution: 10 });
bigLoop.enable();
let rows = 0;
let offset = 0;
for (let more = true; more; ) {
  const result = await page("SELECT n, repeat('x', 1000000) AS v FROM generate_series(1, 400) AS n", offset);
  rows += result.rows.length;
  offset += result.rows.length;
  more = result.more;
}
bigLoop.disable();
clearInterval(sampler);
await db.close();
process.stdout.write(JSON.stringify({ overload, big: { rows, peakRssMb: peakRss / 2 ** 20, loopMaxMs: bigLoop.max / 1e6 } }));
`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchDb() {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.E2E_DATABASE_URL;
  if (!url) return '## Database\n\nSkipped: no PostgreSQL. Run `.ci/postgres start` and set `BENCH_DATABASE_URL=$(.ci/postgres url)`.\n';
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-db-'));
  const repo = path.join(scratch, 'bench-db');
  try {
    step('generating and installing a server with --db postgres');
    execFileSync(process.execPath, [cli, repo, '--yes', '--db', 'postgres', '--no-git', '--no-install'], { stdio: 'ignore' });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'ignore' });
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
    writeFileSync(path.join(repo, 'bench-pool.mjs'), POOL_SCRIPT);
    writeFileSync(path.join(repo, 'bench-shape.mjs'), SHAPE_SCRIPT);
    writeFileSync(path.join(repo, 'bench-load.mjs'), LOAD_SCRIPT);

    step('pool vs one shared connection');
    const env = { ...process.env, URL: url, ROUNDS: process.env.BENCH_ROUNDS ?? '3', ROUND_MS: process.env.BENCH_ROUND_MS ?? '3000' };
    const pool = JSON.parse(execFileSync(process.execPath, ['bench-pool.mjs'], { cwd: repo, env }).toString());
    const p = { qps: median(pool.pool.map((r) => r.qps)), p99: median(pool.pool.map((r) => r.p99)) };
    const s = { qps: median(pool.single.map((r) => r.qps)), p99: median(pool.single.map((r) => r.p99)) };

    step('query_database under 2,000 concurrent calls, and a 400 MB result');
    const load = JSON.parse(execFileSync(process.execPath, ['bench-load.mjs'], { cwd: repo, env }).toString());

    step('shaping a 10 MB page');
    const shapeRuns = Array.from({ length: 5 }, () => ['0', '1'].map((shape) =>
      JSON.parse(execFileSync(process.execPath, ['bench-shape.mjs'], { cwd: repo, env: { ...process.env, SHAPE: shape } }).toString()),
    ));
    const plain = shapeRuns.map(([a]) => a);
    const shaped = shapeRuns.map(([, b]) => b);
    const mb = plain[0].bytes / 2 ** 20;
    const plainMs = median(plain.map((r) => r.ms));
    const shapedMs = median(shaped.map((r) => r.ms));
    const plainRss = median(plain.map((r) => r.maxRssKb)) / 1024;
    const shapedRss = median(shaped.map((r) => r.maxRssKb)) / 1024;

    return `## Database: pool vs one shared connection

50 concurrent callers running a short query (\`SELECT count(*) FROM generate_series(1, 2000)\`),
interleaved rounds, medians.

| access | queries/s | p99 ms |
| --- | ---: | ---: |
| generated pool (\`DB_POOL_MAX=10\`, \`withConnection\`) | ${p.qps.toFixed(0)} | ${p.p99.toFixed(1)} |
| one shared \`pg.Client\` (what the seeds warn about) | ${s.qps.toFixed(0)} | ${s.p99.toFixed(1)} |

The pool serves ${(p.qps / s.qps).toFixed(2)}× the queries per second of a single connection on this ${os.cpus().length}-core machine.

## query_database under overload, and a 400 MB result

2,000 calls at once on \`DB_POOL_MAX=10\` (\`SELECT pg_sleep(0.005)\` through the tool's read-only
path: bounded wait for a connection, "busy, retry" past it):
p50 ${load.overload.p50.toFixed(0)} ms, p99 ${load.overload.p99.toFixed(0)} ms; outcomes ${Object.entries(load.overload.mix).map(([kind, n]) => `${kind} ${n}`).join(', ')};
longest event-loop stall ${load.overload.loopMaxMs.toFixed(0)} ms.

Paging through a 400 MB result (400 rows of 1 MB) to the end: ${load.big.rows} rows, peak RSS
${load.big.peakRssMb.toFixed(0)} MB, longest event-loop stall ${load.big.loopMaxMs.toFixed(0)} ms.

## Shaping a 10 MB page of rows

One page of 100 rows of 100 KB (${mb.toFixed(1)} MB as JSON), capped to 8,000 characters with
\`pagedResult\` (whole rows while they fit, a row too big alone shortened in place; valid JSON), against plain \`JSON.stringify\` of the same rows;
separate processes, 5 runs, medians; peak RSS from \`process.resourceUsage()\`.

| | ms | peak RSS MB |
| --- | ---: | ---: |
| \`JSON.stringify\` of the page | ${plainMs.toFixed(1)} | ${plainRss.toFixed(1)} |
| \`pagedResult\` to 8,000 chars | ${shapedMs.toFixed(1)} | ${shapedRss.toFixed(1)} |

Shaping costs ${(shapedMs / plainMs).toFixed(2)}× the time of serialising the page once, and
${((shapedRss - plainRss) / mb).toFixed(2)} MB of extra peak memory per MB of data.
`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

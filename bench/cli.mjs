// CLI start-up and generation, measured side by side with `node -e 0`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);
let scratch;

function time(args) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore', cwd: scratch });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Interleaves the cases run by run so background load hits them alike; reports medians. */
function measure(cases) {
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let run = 0; run < runs; run++) {
    for (const [name, args] of Object.entries(cases)) samples[name].push(time(typeof args === 'function' ? args(run) : args));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchCli() {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-'));
  const results = measure({
    'node -e 0': ['-e', '0'],
    'create-mcp-prod --version': [cli, '--version'],
    'create-mcp-prod --help': [cli, '--help'],
    'create-mcp-prod --dry-run (render in memory)': [cli, 'dry', '--yes', '--dry-run'],
    'create-mcp-prod (write files, no install, no git)': (run) => [cli, `gen-${run}`, '--yes', '--no-install', '--no-git'],
  });
  rmSync(scratch, { recursive: true, force: true });

  const baseline = results['node -e 0'];
  const rows = Object.entries(results).map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)}× |`);
  return `## CLI start-up and generation

${runs} interleaved runs each, median wall time.

| case | ms | vs \`node -e 0\` |
| --- | ---: | ---: |
${rows.join('\n')}

Goal: \`--version\` and \`--help\` within 1.5× of \`node -e 0\` (heavy modules load only when a command needs them).
`;
}

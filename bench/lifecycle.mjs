// The lifecycle commands inside a generated repo, measured side by side with `node -e 0`:
// add-tool, check, and update (dry run and real, version B over a base rendered by this repo's package).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);

function time(args, cwd) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore', cwd });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Version B: this package with another version number, so `update` has somewhere to go. */
function packageB(scratch) {
  const dir = path.join(scratch, 'package-b');
  for (const part of ['dist', 'templates']) cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '999.0.0' }));
  return path.join(dir, 'dist', 'cli.js');
}

export async function benchLifecycle() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-life-'));
  const repo = path.join(scratch, 'repo');
  execFileSync(process.execPath, [cli, repo, '--yes', '--transport', 'stdio,http', '--no-install'], { stdio: 'ignore' });
  const cliB = packageB(scratch);
  const cases = {
    'node -e 0': () => ['-e', '0'],
    'add-tool <name> --yes': (run) => [cli, 'add-tool', `tool_${run}`, '--yes'],
    check: () => [cli, 'check'],
    'update --dry-run (base from --from-package folder)': () => [cliB, 'update', '--dry-run', '--from-package', root],
  };
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let run = 0; run < runs; run++) {
    for (const [name, args] of Object.entries(cases)) samples[name].push(time(args(run), repo));
  }
  // A real update changes the repo: measured once, on a clean tree.
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', ['commit', '-qm', 'tools'], { cwd: repo });
  const update = time([cliB, 'update', '--yes', '--from-package', root], repo);
  rmSync(scratch, { recursive: true, force: true });

  const results = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  const baseline = results['node -e 0'];
  const rows = Object.entries(results).map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)}× |`);
  return `## Lifecycle commands (stdio,http repo)

${runs} interleaved runs each, median wall time; \`update\` (writing) once.

| case | ms | vs \`node -e 0\` |
| --- | ---: | ---: |
${rows.join('\n')}
| update --yes (base from --from-package folder) | ${update.toFixed(1)} | ${(update / baseline).toFixed(2)}× |

From the registry, \`update\` and \`check\` of an older version add one \`npm install create-mcp-prod@<version>\`.
`;
}

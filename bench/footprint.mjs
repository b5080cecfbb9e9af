// Section 2, what a generated repo costs its owner (install, packages, disk, build, the image's
// production dependencies), and section 5, its tool catalog, read from the repo's own
// `npm run audit:tools -- --json` when it has one. Both per variant, from one install each.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMOKE, cli, dirBytes, mb, measure, plural, size, spread, step, table, variants } from './lib.mjs';

const quietNpm = ['--no-audit', '--no-fund', '--loglevel=error'];

function packageCount(dir) {
  const result = spawnSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  // The first line is the project itself; the rest are unique install paths.
  return new Set(result.stdout.trim().split('\n').slice(1).filter(Boolean)).size;
}

/** The catalog as the repo's own audit reports it, or why there is none yet. */
function toolCatalog(repo) {
  const result = spawnSync('npm', ['run', '--silent', 'audit:tools', '--', '--json'], { cwd: repo, encoding: 'utf8' });
  try {
    return { report: JSON.parse(result.stdout) };
  } catch {
    const said = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    return { skipped: `\`npm run audit:tools -- --json\` gave no JSON (exit ${result.status}${said ? `: ${said.slice(0, 120)}` : ''})` };
  }
}

export async function benchFootprint() {
  const rounds = size('BENCH_INSTALL_RUNS', 3, 1);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-footprint-'));
  const rows = [];
  const catalogRows = [];
  const data = {};
  try {
    for (const [index, variant] of variants().entries()) {
      const repo = path.join(scratch, `variant-${index}`);
      step('footprint', `${variant.name}: generate and install`);
      execFileSync(process.execPath, [cli, repo, '--yes', '--no-git', '--no-install', '--name', `bench-variant-${index}`, ...variant.args], { stdio: 'ignore' });
      // The first install writes the lockfile and fills the npm cache; the timed ones are `npm ci`, as CI and the Dockerfile run it.
      execFileSync('npm', ['install', ...quietNpm], { cwd: repo, stdio: 'ignore' });
      const install = measure(
        { install: () => (rmSync(path.join(repo, 'node_modules'), { recursive: true, force: true }), { argv: ['npm', 'ci', ...quietNpm] }) },
        rounds,
        { cwd: repo, warmup: 0 },
      ).install;
      const build = measure({ build: () => (rmSync(path.join(repo, 'dist'), { recursive: true, force: true }), { argv: ['npm', 'run', 'build'] }) }, rounds, {
        cwd: repo,
        warmup: 0,
      }).build;
      const packages = packageCount(repo);
      const allBytes = dirBytes(path.join(repo, 'node_modules'));

      // The image's runtime stage: `npm ci --omit=dev` from the same lockfile.
      const prod = path.join(scratch, `prod-${index}`);
      mkdirSync(prod);
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(repo, file), path.join(prod, file));
      execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', ...quietNpm], { cwd: prod, stdio: 'ignore' });
      const prodPackages = packageCount(prod);
      const prodBytes = dirBytes(path.join(prod, 'node_modules'));
      rmSync(prod, { recursive: true, force: true });

      rows.push([variant.name, spread(install.wall, 0), String(packages), mb(allBytes), String(prodPackages), mb(prodBytes), spread(build.wall, 0)]);
      const catalog = toolCatalog(repo);
      catalogRows.push([variant.name, catalog.report ? `\`${JSON.stringify(summarise(catalog.report))}\`` : catalog.skipped]);
      data[variant.name] = { install, build, packages, nodeModulesBytes: allBytes, prodPackages, prodNodeModulesBytes: prodBytes, catalog };
      rmSync(repo, { recursive: true, force: true });
    }

    const footprint = `## 2. Generated repo footprint

Per variant: \`npm ci\` with a warm npm cache (${plural(rounds, 'run')}, median (min–max) ms; the first
\`npm install\` that writes the lockfile is not timed), installed packages (\`npm ls --all\`), size
of \`node_modules\`, the same for the production dependencies the Docker image ships
(\`npm ci --omit=dev\` from the same lockfile), and \`npm run build\` (${plural(rounds, 'run')}).

${table(['variant', 'npm ci ms', 'packages', 'node_modules MB', 'prod packages', 'prod node_modules MB', 'build ms'], rows)}
${SMOKE ? '\n(smoke run: one variant, one run)\n' : ''}`;
    const catalog = `## 5. Tool catalog

What \`tools/list\` costs a model, as each generated repo's own \`npm run audit:tools -- --json\` reports it.

${table(['variant', 'audit:tools --json'], catalogRows)}
`;
    return { sections: { 2: footprint, 5: catalog }, data };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The report's top-level numbers (its totals); the whole report is in the JSON file. */
function summarise(report) {
  if (typeof report !== 'object' || report === null) return report;
  return Object.fromEntries(Object.entries(report).filter(([, value]) => typeof value === 'number' || typeof value === 'string'));
}


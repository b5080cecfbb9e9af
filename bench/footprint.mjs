// Section 2, what a generated repo costs its owner (install, packages, disk, build, the image's
// production dependencies), and section 5, its tool catalog, read from the repo's own
// `npm run audit:tools -- --json` when it has one. Both per variant, from one install each; then, in
// the first variant's installed repo, BENCH_TOOLS (200) tools made by `add-tool` and the catalog
// with all of them served and with one toolset of BENCH_TOOLSET (10) chosen by MCP_TOOLSETS.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMOKE, cli, dirBytes, mb, measure, plural, size, spread, step, table, variants } from './lib.mjs';

const quietNpm = ['--no-audit', '--no-fund', '--loglevel=error'];

function packageCount(dir) {
  const result = spawnSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  // The first line is the project itself; the rest are unique install paths.
  return new Set(result.stdout.trim().split('\n').slice(1).filter(Boolean)).size;
}

/** The catalog as the repo's own audit reports it (exit 1 = over budget, the JSON still printed), or why there is none. */
function toolCatalog(repo, env = {}) {
  const result = spawnSync('npm', ['run', '--silent', 'audit:tools', '--', '--json'], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 });
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
  let manyTools;
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
      catalogRows.push(catalogRow(variant.name, catalog));
      data[variant.name] = { install, build, packages, nodeModulesBytes: allBytes, prodPackages, prodNodeModulesBytes: prodBytes, catalog };
      // Many tools, made by the real `add-tool`, in the first (installed) repo: all served, then one toolset.
      if (index === 0) manyTools = bigCatalog(repo);
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

${table(['variant', 'tools', 'tools/list tokens', 'largest tool (tokens)', 'budget tools/list / per tool'], catalogRows)}

${manyTools ? manyTools.markdown : 'Many tools: not measured (no variant ran).'}
`;
    if (manyTools) data.manyTools = manyTools.data;
    return { sections: { 2: footprint, 5: catalog }, data };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function catalogRow(name, catalog) {
  const report = catalog.report;
  if (!report || !Array.isArray(report.tools)) return [name, catalog.skipped ?? 'no tools in the audit report', '', '', ''];
  const largest = [...report.tools].sort((a, b) => b.tokens - a.tokens)[0];
  return [
    name,
    String(report.tools.length),
    String(report.totalTokens),
    largest ? `${largest.name} (${largest.tokens})` : 'none',
    report.budget ? `${report.budget.totalTokens} / ${report.budget.toolTokens}` : 'n/a',
  ];
}

/**
 * `add-tool` run `count` times in an installed repo (each tool in a group of its own name), the
 * audit of everything served, then `group` tools moved into one toolset and the audit with
 * `MCP_TOOLSETS=<that group>`. Failures are reported in the section, never thrown.
 */
function bigCatalog(repo) {
  const count = size('BENCH_TOOLS', 200, 3);
  const group = Math.min(size('BENCH_TOOLSET', 10, 2), count);
  const groupName = 'bench_group';
  const data = { count, group };
  try {
    const base = toolCatalog(repo);
    step('footprint', `add-tool × ${count}`);
    const names = Array.from({ length: count }, (_, i) => `bench_tool_${String(i + 1).padStart(3, '0')}`);
    const started = performance.now();
    for (const name of names) {
      const result = spawnSync(process.execPath, [cli, 'add-tool', name, '--description', `Finds ${name} records by query.`, '--yes'], {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (result.status !== 0) throw new Error(`add-tool ${name} exited ${result.status}: ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
    }
    data.addToolMsEach = (performance.now() - started) / count;
    step('footprint', `audit of all tools, then a toolset of ${group}`);
    const all = toolCatalog(repo);
    // Moves the first `group` new tools into one shared group (add-tool puts each in its own).
    const toolsDir = path.join(repo, 'src', 'tools');
    const grouped = names.slice(0, group);
    for (const name of grouped) {
      const file = readdirSync(toolsDir)
        .map((entry) => path.join(toolsDir, entry))
        .find((candidate) => candidate.endsWith('.ts') && readFileSync(candidate, 'utf8').includes(`name: '${name}'`));
      if (!file) throw new Error(`no src/tools file declares ${name}`);
      const text = readFileSync(file, 'utf8');
      const moved = text.replace(/toolset: '[^']*'/, `toolset: '${groupName}'`);
      if (moved === text) throw new Error(`${path.basename(file)} has no toolset line`);
      writeFileSync(file, moved);
    }
    const one = toolCatalog(repo, { MCP_TOOLSETS: groupName });
    data.all = all;
    data.toolset = one;
    const served = (catalog) => (catalog.report && Array.isArray(catalog.report.tools) ? catalog.report.tools : undefined);
    const rows = [];
    const row = (label, catalog, note = '') => {
      const tools = served(catalog);
      if (!tools) return rows.push([label, 'n/a', 'n/a', 'n/a', catalog.skipped ?? 'no report']);
      const ours = tools.filter((tool) => tool.name.startsWith('bench_tool_'));
      const perTool = ours.length ? Math.round(ours.reduce((sum, tool) => sum + tool.tokens, 0) / ours.length) : 'n/a';
      const over = catalog.report.budget && catalog.report.totalTokens > catalog.report.budget.totalTokens ? `over the ${catalog.report.budget.totalTokens} budget` : 'within budget';
      rows.push([label, String(tools.length), String(catalog.report.totalTokens), String(perTool), `${over}${note}`]);
    };
    row('as generated, before add-tool', base);
    row(`all served (generated + ${count} added)`, all);
    const oneTools = served(one);
    const honoured = oneTools !== undefined && oneTools.length === group && oneTools.every((tool) => grouped.includes(tool.name));
    if (honoured) row(`MCP_TOOLSETS=${groupName} (${group} tools)`, one);
    else {
      // The audit did not serve exactly the group: count those tools' entries from the full list instead.
      const entries = (served(all) ?? []).filter((tool) => grouped.includes(tool.name));
      const sum = entries.reduce((total, tool) => total + tool.tokens, 0);
      rows.push([`one toolset of ${group} (sum of its tools' entries)`, String(entries.length), String(sum), entries.length ? String(Math.round(sum / entries.length)) : 'n/a', 'MCP_TOOLSETS not honoured by the audit: sum of entries, without the list wrapper']);
    }
    data.toolsetHonoured = honoured;
    const each = data.addToolMsEach.toFixed(0);
    return {
      data,
      markdown: `Many tools (first variant): ${count} tools made by \`create-mcp-prod add-tool <name> --description <text> --yes\`
in the installed repo (${each} ms each, wall, one after another), then the audit of everything served and of
one toolset of ${group} (those tools' \`toolset\` line edited to \`${groupName}\`, audited with \`MCP_TOOLSETS=${groupName}\`).
Tokens are o200k_base of the whole \`tools/list\` result; "per added tool" is the mean of the added tools' own entries.

${table(['catalog', 'tools', 'tools/list tokens', 'per added tool', 'note'], rows)}
${SMOKE && count < 50 ? '\n(smoke run: a handful of tools)\n' : ''}`,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    step('footprint', `many tools failed: ${message}`);
    return { data: { ...data, failed: message }, markdown: `Many tools: not measured, it failed (${message}).` };
  }
}

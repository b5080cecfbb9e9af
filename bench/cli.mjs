// Section 1, the generator: start-up and a full generation of each variant, side by side with
// `node -e 0` and create-vite, run directly from installed copies and through a warm `npx`, and the
// peers users would pick instead (installed from npm into a scratch folder, pinned); then `add-tool`,
// `check` and `update --dry-run` (both with --from-package this checkout: no registry) inside
// generated repos, against `--help` run in the same rounds.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMOKE, cli, measure, plural, ratio, root, size, spread, step, table, variants } from './lib.mjs';

const HELP_ALONGSIDE = 'create-mcp-prod --help (in the repo rounds)';
const FLOOR = 'floor: only write the all-options files';

/**
 * A reference for the file system's share of a generation: a script that does nothing but write
 * the files of an all-options repo (read from one JSON file) into a new folder. Creating a file
 * costs the kernel far more on some machines than anything the generator computes, and our repo
 * has many more files than create-vite's, so this is the least any generator of this repo costs.
 */
function writeOnlyFloor(scratch, work) {
  const source = path.join(scratch, 'floor-source');
  execFileSync(process.execPath, [cli, source, '--yes', '--no-install', '--no-git', '--transport', 'stdio,http,sse', '--db', 'postgres'], { cwd: work, stdio: 'ignore' });
  const files = {};
  for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(source, full)] = readFileSync(full, 'utf8');
  }
  const tree = path.join(scratch, 'floor-tree.json');
  writeFileSync(tree, JSON.stringify(files));
  const script = path.join(scratch, 'floor.cjs');
  writeFileSync(
    script,
    `const fs = require('node:fs'), path = require('node:path');
const [tree, dest] = process.argv.slice(2);
const made = new Set();
for (const [file, content] of Object.entries(JSON.parse(fs.readFileSync(tree, 'utf8')))) {
  const target = path.join(dest, file);
  if (!made.has(path.dirname(target))) fs.mkdirSync(path.dirname(target), { recursive: true });
  made.add(path.dirname(target));
  fs.writeFileSync(target, content);
}
`,
  );
  return { script, tree, files: Object.keys(files).length, folders: new Set(Object.keys(files).map((file) => path.dirname(file))).size };
}

export const PEERS = {
  'create-vite': '9.3.0',
  '@modelcontextprotocol/create-server': '0.3.1',
  'mcp-framework': '0.2.22',
};

const quietNpm = ['--no-audit', '--no-fund', '--loglevel=error'];

/** The peers, installed from the registry into `dir` and run by their bin files (no npm wrapper). */
function installPeers(dir) {
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-peers', private: true }));
  execFileSync('npm', ['install', ...quietNpm, ...Object.entries(PEERS).map(([name, version]) => `${name}@${version}`)], { cwd: dir, stdio: 'ignore' });
  const bin = (...parts) => path.join(dir, 'node_modules', ...parts);
  return {
    createVite: bin('create-vite', 'index.js'),
    createServer: bin('@modelcontextprotocol', 'create-server', 'build', 'index.js'),
    mcp: bin('mcp-framework', 'dist', 'cli', 'index.js'),
  };
}

/** Our own commands beyond `create`: timed when this build has them, else named as skipped. */
function probeCommand(args, cwd) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status === 0) return { available: true };
  return { available: false, reason: (result.stderr || result.stdout).trim().split('\n')[0] || `exit ${result.status}` };
}

/**
 * User and system time of the generations beside create-vite's and the write-only floor: system
 * time is the kernel's (creating files, mostly, and it varies with the file system's state), user
 * time is each generator's own code, so the two say which part a change to the generator can move.
 */
function cpuSplit(results) {
  const vite = results['create-vite vanilla-ts'];
  if (!vite?.user || !vite?.system) return '';
  const names = ['node -e 0', 'create-vite vanilla-ts', FLOOR, ...Object.keys(results).filter((name) => name.startsWith('create-mcp-prod: '))];
  const rows = names
    .filter((name) => results[name]?.user)
    .map((name) => {
      const r = results[name];
      return [name, spread(r.user), spread(r.system), name === 'create-vite vanilla-ts' ? 'reference' : `${ratio(r.user, vite.user)} / ${ratio(r.system, vite.system)}`];
    });
  return `
The CPU of a generation, split: user time (the generator's own code) and system time (the kernel's work, mostly creating files).

${table(['case', 'user ms', 'system ms', 'of create-vite: user / system'], rows)}
`;
}

export async function benchCli() {
  // Twenty: a whole process takes 50–300 ms here, and a shared machine's outliers need many runs to wash out of a median.
  const rounds = size('BENCH_RUNS', 20, 1);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-bench-cli-'));
  const work = path.join(scratch, 'work');
  mkdirSync(work);
  try {
    step('cli', `installing ${Object.keys(PEERS).join(', ')} from npm`);
    const peers = installPeers(scratch);
    step('cli', 'packing create-mcp-prod for npx');
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' });
    const tarball = path.join(scratch, packed.trim().split('\n').at(-1));

    // Fixtures our later commands and `mcp add tool` run in.
    execFileSync(process.execPath, [peers.mcp, 'create', 'fw-project', '--no-install'], { cwd: work, stdio: 'ignore' });
    const fwProject = path.join(work, 'fw-project');
    execFileSync(process.execPath, [cli, 'pristine', '--yes', '--no-install', '--no-git'], { cwd: work, stdio: 'ignore' });
    execFileSync(process.execPath, [cli, 'tooled', '--yes', '--no-install', '--no-git'], { cwd: work, stdio: 'ignore' });
    const pristine = path.join(work, 'pristine');
    const tooled = path.join(work, 'tooled');
    // `update` needs a git repository (a clean tree only when it writes): commit the fresh repo.
    const git = (...args) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd: pristine, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'generated');
    // `check` and `update` render the recorded version; --from-package this very folder keeps them off the registry.
    const fromPackage = ['--from-package', root];
    const later = {
      'add-tool': probeCommand(['add-tool', 'bench_probe', '--description', 'Bench probe tool.', '--yes'], tooled),
      check: probeCommand(['check', ...fromPackage], pristine),
      'update --dry-run': probeCommand(['update', '--dry-run', ...fromPackage], pristine),
    };

    const floor = writeOnlyFloor(scratch, work);

    const dir = (prefix) => (round) => `${prefix}-${round < 0 ? 'w' : round}`;
    const node = process.execPath;
    const direct = {
      'node -e 0': [node, '-e', '0'],
      'create-mcp-prod --version': [node, cli, '--version'],
      'create-mcp-prod --help': [node, cli, '--help'],
      'create-vite vanilla-ts': (r) => ({ argv: [node, peers.createVite, dir('vite')(r), '--template', 'vanilla-ts', '--no-interactive'] }),
      [FLOOR]: (r) => ({ argv: [node, floor.script, floor.tree, dir('floor')(r)] }),
      ...Object.fromEntries(
        variants().map((variant, i) => [
          `create-mcp-prod: ${variant.name}`,
          (r) => ({ argv: [node, cli, dir(`ours${i}`)(r), '--yes', '--no-install', '--no-git', ...variant.args] }),
        ]),
      ),
      '@modelcontextprotocol/create-server': (r) => ({ argv: [node, peers.createServer, dir('cs')(r), '--name', 'bench', '--description', 'bench'] }),
      'mcp-framework: mcp create --no-install': (r) => ({ argv: [node, peers.mcp, 'create', dir('fw')(r), '--no-install'] }),
    };
    step('cli', `${rounds} rounds of direct runs`);
    const directResults = measure(direct, rounds, { cwd: work });

    // `--help` again, interleaved with the commands run inside a repo, as their reference.
    const inProject = {
      [HELP_ALONGSIDE]: { argv: [node, cli, '--help'], cwd: pristine },
      'mcp-framework: mcp add tool': (r) => ({ argv: [node, peers.mcp, 'add', 'tool', `bench${r < 0 ? 'w' : r}`], cwd: fwProject }),
      ...(later['add-tool'].available && {
        'create-mcp-prod add-tool': (r) => ({ argv: [node, cli, 'add-tool', `bench_${r < 0 ? 'w' : r}`, '--description', 'Bench tool.', '--yes'], cwd: tooled }),
      }),
      ...(later.check.available && { 'create-mcp-prod check': { argv: [node, cli, 'check', ...fromPackage], cwd: pristine } }),
      ...(later['update --dry-run'].available && { 'create-mcp-prod update --dry-run': { argv: [node, cli, 'update', '--dry-run', ...fromPackage], cwd: pristine } }),
    };
    step('cli', `${rounds} rounds of add-tool, check and update --dry-run against --help`);
    let projectResults = {};
    try {
      projectResults = measure(inProject, rounds);
    } catch (error) {
      // A command that passed its probe but failed later: reported in the section, the rest still measured.
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      for (const name of Object.keys(later)) if (later[name].available) later[name] = { available: false, reason: `failed while timed: ${message}` };
      step('cli', `in-repo commands failed: ${message}`);
    }

    // npx of a tarball path re-reads the tarball on every call, which a registry install does not;
    // so ours runs from a project that has the tarball installed, against create-vite run the same way.
    const consumer = path.join(scratch, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'bench-consumer', private: true }));
    execFileSync('npm', ['install', ...quietNpm, tarball, `create-vite@${PEERS['create-vite']}`], { cwd: consumer, stdio: 'ignore' });
    const at = (name) => path.join(work, name);
    const npx = {
      'npx create-vite vanilla-ts (installed)': (r) => ({ argv: ['npx', 'create-vite', at(dir('lvite')(r)), '--template', 'vanilla-ts', '--no-interactive'], cwd: consumer }),
      'npx create-mcp-prod: stdio (installed)': (r) => ({ argv: ['npx', 'create-mcp-prod', at(dir('lours')(r)), '--yes', '--no-install', '--no-git'], cwd: consumer }),
      'npx create-vite vanilla-ts': (r) => ({ argv: ['npx', '--yes', `create-vite@${PEERS['create-vite']}`, dir('nvite')(r), '--template', 'vanilla-ts', '--no-interactive'] }),
      'npx @modelcontextprotocol/create-server': (r) => ({
        argv: ['npx', '--yes', `@modelcontextprotocol/create-server@${PEERS['@modelcontextprotocol/create-server']}`, dir('ncs')(r), '--name', 'bench', '--description', 'bench'],
      }),
      'npx mcp-framework mcp create': (r) => ({ argv: ['npx', '--yes', `--package=mcp-framework@${PEERS['mcp-framework']}`, 'mcp', 'create', dir('nfw')(r), '--no-install'] }),
    };
    step('cli', `${rounds} rounds through npx (the first, untimed, warms the cache)`);
    const npxResults = measure(npx, rounds, { cwd: work });

    const results = { ...directResults, ...projectResults, ...npxResults };
    const reference = (name) => {
      if (name === 'node -e 0') return undefined;
      if (name === 'npx create-mcp-prod: stdio (installed)') return 'npx create-vite vanilla-ts (installed)';
      if (name.startsWith('npx')) return name.startsWith('npx create-vite') ? undefined : 'npx create-vite vanilla-ts';
      if (name.includes('--help') || name.includes('--version') || name === 'create-vite vanilla-ts') return 'node -e 0';
      if (name === HELP_ALONGSIDE) return 'create-mcp-prod --help';
      if (name.startsWith('create-mcp-prod ') || name.endsWith('add tool')) return HELP_ALONGSIDE;
      return 'create-vite vanilla-ts';
    };
    const rows = Object.entries(results).map(([name, r]) => {
      const ref = reference(name);
      return [
        name,
        spread(r.wall),
        spread(r.cpu),
        ref ? `${ratio(r.wall, results[ref].wall)} / ${ratio(r.cpu, results[ref].cpu)} of ${ref}` : 'reference',
      ];
    });
    const skipped = Object.entries(later)
      .filter(([, probe]) => !probe.available)
      .map(([name, probe]) => `- \`create-mcp-prod ${name}\`: not measured, it failed (${probe.reason}).`);
    // The goal for the commands run inside a repo: within 2× `--help` of the same CLI, CPU and wall time.
    const goals = Object.keys(later)
      .map((name) => [name, results[`create-mcp-prod ${name}`]])
      .filter(([, r]) => r?.wall && results[HELP_ALONGSIDE]?.wall)
      .map(([name, r]) => {
        const times = (measure) => (r[measure]?.median ?? NaN) / (results[HELP_ALONGSIDE][measure]?.median ?? NaN);
        const met = times('wall') <= 2 && !(times('cpu') > 2);
        const goal = name === 'update --dry-run' ? 'no goal' : met ? 'within 2×: met' : 'within 2×: NOT met';
        const cpu = Number.isFinite(times('cpu')) ? `${times('cpu').toFixed(2)}× (CPU), ` : '';
        return `- \`${name}\`: ${cpu}${times('wall').toFixed(2)}× (wall) \`--help\`, ${goal}.`;
      });

    const split = cpuSplit(results);
    const floorLine =
      results[FLOOR]?.cpu && results['create-vite vanilla-ts']?.cpu
        ? `\n${FLOOR} (${floor.files} files in ${floor.folders} folders, no generator code): ${ratio(results[FLOOR].cpu, results['create-vite vanilla-ts'].cpu)} the CPU of create-vite, the share of an all-options generation that is the file system's.\n`
        : '';
    const markdown = `## 1. Generator

${plural(rounds, 'interleaved round')} (plus one untimed warm-up round), each case a separate process; median
(min–max) of wall time and of CPU time (user + system of the process and every child it waited
for). Generations write files only (\`--no-install --no-git\` for ours, \`--no-install\` for
\`mcp create\`, which still runs \`git init\`). Peers pinned: ${Object.entries(PEERS).map(([n, v]) => `\`${n}@${v}\``).join(', ')}.
Through \`npx\`: ours (the packed tarball) and create-vite installed in one project and run by
\`npx <bin>\` there; the peers and create-vite by \`npx <package>@<version>\` with a warm npm cache.

${table(['case', 'wall ms', 'CPU ms', 'ratio wall / CPU'], rows)}

Goals: generation within 1.5× create-vite (wall and CPU), \`--help\` and \`--version\` within 1.1× \`node -e 0\`,
\`add-tool\` and \`check\` within 2× \`--help\`. Commands inside a generated repo (\`add-tool <name> --description <text> --yes\`
in a repo generated with \`--no-install\`, a fresh name each run; \`check\` and \`update --dry-run\` with
\`--from-package\` this checkout, the running package, so the recorded version is rendered in process, in a fresh
committed repo) are compared with \`--help\` run in the same rounds (${HELP_ALONGSIDE}).
${floorLine}${split}${goals.length ? `\n${goals.join('\n')}\n` : ''}${skipped.length ? `\n${skipped.join('\n')}\n` : ''}${SMOKE ? '\n(smoke run: sizes too small to mean anything)\n' : ''}`;
    return { sections: { 1: markdown }, data: { rounds, peers: PEERS, results, goals, skipped: Object.fromEntries(Object.entries(later).filter(([, p]) => !p.available)) } };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

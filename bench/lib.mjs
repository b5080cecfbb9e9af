// Shared by the bench sections: sizes (full or smoke), timing of whole processes (wall and CPU),
// medians with their spread, and small formatting helpers.
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = path.join(root, 'dist', 'cli.js');

/** `BENCH_SMOKE=1`: tiny sizes and one or two runs, so a test can run every section quickly. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** A size from the environment, else the smoke or the full default. */
export function size(name, full, smoke) {
  const value = process.env[name];
  return value === undefined ? (SMOKE ? smoke : full) : Number(value);
}

/** The generated variants every per-variant section covers, smallest first. */
export const VARIANTS = [
  { name: 'stdio', args: ['--transport', 'stdio', '--db', 'none'] },
  { name: 'http', args: ['--transport', 'http', '--db', 'none'] },
  { name: 'stdio,http,sse', args: ['--transport', 'stdio,http,sse', '--db', 'none'] },
  { name: 'all options (stdio,http,sse + postgres)', args: ['--transport', 'stdio,http,sse', '--db', 'postgres'] },
];
export const variants = () => (SMOKE && !process.env.BENCH_VARIANTS ? VARIANTS.slice(0, 1) : VARIANTS);

export const step = (section, message) => process.stderr.write(`bench ${section}: ${message}\n`);

/** median, min and max of some samples, plus the samples themselves for the JSON file. */
export function stats(samples) {
  const sorted = samples.filter((value) => value !== null && !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), runs: sorted.length, samples };
}

export function median(values) {
  return stats(values)?.median ?? NaN;
}

/** `123.4 (118.0–131.2)`: the median and the range of the runs. */
export function spread(s, digits = 1) {
  if (!s) return 'n/a';
  return s.runs > 1 ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : s.median.toFixed(digits);
}

export function ratio(a, b) {
  return a && b ? `${(a.median / b.median).toFixed(2)}×` : 'n/a';
}

export function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

// Runs one process and reports its wall time and the CPU time of it and every child it waited
// for (rusage of the reaped process tree: npx and npm included), split into user time (the
// processes' own code) and system time (the kernel's work for them: creating files, mostly).
// Python's os.wait4 gives that in microseconds; Node has no API for a child's rusage.
const TIMER = `
import json, os, sys, time
spec = json.loads(sys.stdin.read())
if spec.get("cwd"): os.chdir(spec["cwd"])
null = os.open(os.devnull, os.O_RDWR)
quiet = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
start = time.perf_counter()
pid = os.posix_spawnp(spec["argv"][0], spec["argv"], dict(os.environ, **spec["env"]), file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
wall = (time.perf_counter() - start) * 1000
print(json.dumps({"wallMs": wall, "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000, "userMs": usage.ru_utime * 1000, "systemMs": usage.ru_stime * 1000, "status": os.waitstatus_to_exitcode(status)}))
`;

let python;
function hasPython() {
  python ??= spawnSync('python3', ['-c', 'import os; os.wait4; os.posix_spawnp'], { stdio: 'ignore' }).status === 0;
  return python;
}

/** One timed run of `argv` in `cwd`; a non-zero exit is an error (a broken case must not look fast). */
export function timeProcess(argv, { cwd, env = {} } = {}) {
  let result;
  if (hasPython()) {
    result = JSON.parse(execFileSync('python3', ['-c', TIMER], { input: JSON.stringify({ argv, cwd, env }), encoding: 'utf8' }));
  } else {
    const started = performance.now();
    const child = spawnSync(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
    result = { wallMs: performance.now() - started, cpuMs: null, userMs: null, systemMs: null, status: child.status };
  }
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited with ${result.status}`);
  return result;
}

/**
 * Runs every case once per round, in the same order each round, so background load hits them
 * alike; `argv` may be a function of the round (a fresh target folder each time).
 * Returns { [case]: { wall: stats, cpu: stats, user: stats, system: stats } }.
 */
export function measure(cases, rounds, { cwd, warmup = 1 } = {}) {
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, { wall: [], cpu: [], user: [], system: [] }]));
  for (let round = -warmup; round < rounds; round++) {
    for (const [name, spec] of Object.entries(cases)) {
      const run = typeof spec === 'function' ? spec(round) : Array.isArray(spec) ? { argv: spec } : spec;
      const result = timeProcess(run.argv, { cwd: run.cwd ?? cwd, env: run.env });
      if (round < 0) continue;
      samples[name].wall.push(result.wallMs);
      samples[name].cpu.push(result.cpuMs);
      samples[name].user.push(result.userMs);
      samples[name].system.push(result.systemMs);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [name, { wall: stats(s.wall), cpu: stats(s.cpu), user: stats(s.user), system: stats(s.system) }]),
  );
}

/** Bytes of every file under `dir` (apparent size, symlinks not followed). */
export function dirBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(full);
    else total += lstatSync(full).size;
  }
  return total;
}

export const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

export const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;

// `npm run bench [-- cli http db footprint]`: every section measures its cases side by side in one
// run and reports ratios against a reference measured in that same run (machines are shared and
// noisy; absolute numbers are only indicative). Writes bench/results/<YYYY-MM-DD>.md and .json
// (or into BENCH_OUT). Only loopback traffic, except npm installs of the peers and of generated
// repos' dependencies. `BENCH_SMOKE=1` runs everything with tiny sizes (test/e2e/bench-smoke.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchCli } from './cli.mjs';
import { benchDb } from './db.mjs';
import { benchFootprint } from './footprint.mjs';
import { benchHttp } from './http.mjs';
import { SMOKE, root } from './lib.mjs';

const SECTIONS = { cli: benchCli, http: benchHttp, db: benchDb, footprint: benchFootprint };
/** The report's numbered sections each bench writes (footprint also reads the tool catalog). */
const NUMBERS = { cli: [1], footprint: [2, 5], http: [3, 4], db: [6, 7] };

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown section ${unknown[0]} (sections: ${Object.keys(SECTIONS).join(', ')})\n`);
  process.exit(64);
}

const started = new Date();
const parts = {};
const data = {};
const failed = [];
const date = started.toISOString().slice(0, 10);
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const machine = `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${os.platform()} ${os.release()}, load average ${os
  .loadavg()
  .map((load) => load.toFixed(1))
  .join(' / ')} at the start`;
const outDir = process.env.BENCH_OUT ?? path.join(root, 'bench', 'results');

/** Writes the report as far as it got, after every section, so a long run interrupted late keeps its figures. */
function writeReport(pending) {
  const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
  const report = `# create-mcp-prod benchmark, ${date}

${machine}; commit ${commit}; ${minutes} minutes${SMOKE ? '; SMOKE RUN (tiny sizes, numbers meaningless)' : ''}.
Every figure is a median of several runs with its range, and ratios are against a reference
measured in the same run. A shared, busy machine makes absolute numbers move a lot; the ratios
are what to compare.

${Object.keys(parts)
  .sort((a, b) => Number(a) - Number(b))
  .map((key) => parts[key])
  .join('\n')}${pending.length > 0 ? `\nNot run yet: ${pending.join(', ')}.\n` : ''}`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${date}.md`), report);
  writeFileSync(path.join(outDir, `${date}.json`), `${JSON.stringify({ date: started.toISOString(), machine, commit, smoke: SMOKE, sections: data }, null, 2)}\n`);
  return report;
}

const chosen = Object.keys(SECTIONS).filter((name) => asked.length === 0 || asked.includes(name));
for (const [index, name] of chosen.entries()) {
  const bench = SECTIONS[name];
  try {
    const result = await bench();
    Object.assign(parts, result.sections);
    data[name] = result.data;
  } catch (error) {
    // One broken section must not cost the others' figures; the report says what failed, and the exit code too.
    failed.push(name);
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    for (const number of NUMBERS[name]) parts[number] = `## ${number}. (the ${name} bench failed)\n\n${message}\n`;
    data[name] = { failed: message };
    process.stderr.write(`bench ${name}: failed: ${error instanceof Error ? error.stack : message}\n`);
  }
  writeReport(chosen.slice(index + 1));
}
process.stdout.write(writeReport([]));
process.stderr.write(`bench: wrote ${path.join(outDir, `${date}.md`)} and .json\n`);
if (failed.length > 0) process.exitCode = 1;

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run bench` with tiny sizes, so the harness cannot rot: every section runs end to end
 * (peers installed from npm, generated repos installed and built, servers on loopback) and the
 * report has all seven sections. It asserts the shape of the report, never a timing.
 */
describe('the benchmark harness (BENCH_SMOKE=1)', () => {
  it('runs every section and writes the dated Markdown and JSON report', async () => {
    const out = path.join(inject('workDir'), 'bench-smoke');
    const result = await execa(process.execPath, ['bench/run.mjs'], {
      cwd: repoRoot,
      reject: false,
      all: true,
      stdin: 'ignore',
      // The database sections run when CI provides PostgreSQL and are reported as skipped otherwise.
      env: { BENCH_SMOKE: '1', BENCH_OUT: out, BENCH_DATABASE_URL: process.env.E2E_DATABASE_URL ?? '' },
    });
    expect(result.exitCode, result.all?.slice(-4_000)).toBe(0);

    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}\.json$/);
    expect(files[1]).toMatch(/^\d{4}-\d{2}-\d{2}\.md$/);
    const report = readFileSync(path.join(out, files[1] as string), 'utf8');
    const headings = report.split('\n').filter((line) => line.startsWith('## ')).map((line) => /^## (\d)\./.exec(line)?.[1]);
    expect(headings).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(report).toContain('SMOKE RUN');
    expect(report).not.toMatch(/NaN|undefined|bench failed/);
    // The generator section splits each generation's CPU into the generator's own and the kernel's.
    expect(report).toMatch(/\| create-mcp-prod: stdio \| [\d.]+ \| [\d.]+ \| [\d.]+× \/ [\d.]+× \|/);
    // The HTTP section measures tracing on beside tracing off, and each server's CPU per call.
    expect(report).toContain('| generated, tracing on (OTLP/HTTP to a loopback collector stand-in) |');
    expect(report).toContain('CPU ms per call');
    // The HTTP goal is judged on ratios taken round by round, with their range.
    expect(report).toMatch(/Goal: the generated server at 95% .*: [\d.]+% \(\d+–\d+%\) of its throughput, p99 [\d.]+× \([\d.]+–[\d.]+\) \((met|not met)\)/);
    // The streams section measures the bare SDK server's open calls beside ours.
    expect(report).toContain('on the bare SDK server serving only `watch_note`');
    // ... and idle listen streams, ours and the bare SDK's.
    expect(report).toMatch(/Listen streams \(2026-07-28 `subscriptions\/listen`.*\): [\d.]+ KB of heap/);

    const json = JSON.parse(readFileSync(path.join(out, files[0] as string), 'utf8')) as { smoke: boolean; sections: Record<string, unknown> };
    expect(json.smoke).toBe(true);
    expect(Object.keys(json.sections)).toEqual(['cli', 'http', 'db', 'footprint']);
  }, 1_800_000);
});

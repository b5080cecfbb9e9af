import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { execaSync } from 'execa';
import { expect } from 'vitest';
import { createMcpProd, runIn } from './helpers.js';

/** Extra Node versions to run generated repos' own checks on (set by .ci/run: node@22, node@24 from npm). */
export const extraNodes = (process.env.E2E_NODE_BINS ?? '').split(path.delimiter).filter(Boolean);

/** The first extra Node binary of a major version, asked of the binary itself. */
export function extraNode(major: number): string | undefined {
  return extraNodes.find((bin) => execaSync(bin, ['--version']).stdout.startsWith(`v${major}.`));
}

/** Generates a repo with the packed CLI (git and install included, as a user gets it). */
export async function generate(repo: string, args: string[]): Promise<void> {
  const result = await createMcpProd([repo, '--name', path.basename(repo), '--description', 'An e2e server', ...args]);
  if (result.exitCode !== 0) throw new Error(`generation failed (exit ${result.exitCode}):\n${result.stderr}`);
}

/** What every generated repo must pass: build, type-check, lint, its own tests and the tool audit. */
export async function checkGeneratedRepo(repo: string): Promise<void> {
  await runIn(repo, 'npm', ['run', 'build']);
  await runIn(repo, 'npx', ['tsc', '--noEmit']);
  const lint = await runIn(repo, 'npm', ['run', 'lint']);
  expect(lint.all).not.toMatch(/problem|warning/);
  expectAllPassed((await runIn(repo, 'npm', ['test'])).all);
  const audit = await runIn(repo, 'npm', ['run', 'audit:tools']);
  expect(audit.all).toMatch(/tools\/list\s+\d+\s+ok/);
  const report = await runIn(repo, 'npm', ['run', '--silent', 'audit:tools', '--', '--json']);
  expect(Object.keys(JSON.parse(report.stdout) as object)).toEqual(['tools', 'totalTokens', 'budget']);
}

/** Runs the repo's own tests with another Node binary first on PATH (npm scripts call `node`). */
export async function testOnNode(repo: string, nodeBin: string): Promise<void> {
  const env = { PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}` };
  const version = await runIn(repo, 'node', ['--version'], env);
  expectAllPassed((await runIn(repo, 'npm', ['test'], env)).all, `on node ${version.stdout}`);
}

/** Reads vitest's summary: some tests passed and none failed (test names may say "failed"; counts never lie). */
export function expectAllPassed(output: string | undefined, context?: string): void {
  expect(output, context).toMatch(/Tests\s+(?:\d+ \w+ \| )*\d+ passed/);
  expect(output, context).not.toMatch(/\b\d+ failed\b/);
}

export interface RunningHttpServer {
  url: string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts a generated repo's built server over HTTP on a free port, read from its `listening` log line. */
export async function startHttpServer(repo: string, env: Record<string, string> = {}): Promise<RunningHttpServer> {
  const child = spawn(process.execPath, [path.join(repo, 'dist', 'index.js')], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', MCP_TRANSPORT: 'http', PORT: '0', DATA_DIR: path.join(repo, '.data'), ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  const deadline = Date.now() + 20_000;
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${stderr}`);
    port = stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"listening"'))
      .map((line) => (JSON.parse(line) as { port: number }).port)[0];
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

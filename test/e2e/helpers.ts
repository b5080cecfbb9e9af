import path from 'node:path';
import { execa } from 'execa';
import { inject } from 'vitest';

/**
 * Runs the packed CLI as installed from the tarball (its `bin` link), without npm in between so
 * stderr holds only what the CLI printed. packaging.test.ts covers `npx` and `npm create`.
 */
export function createMcpProd(args: string[], env: Record<string, string> = {}) {
  const bin = path.join(inject('consumerDir'), 'node_modules', '.bin', 'create-mcp-prod');
  return execa(bin, args, {
    cwd: inject('consumerDir'),
    reject: false,
    stdin: 'ignore',
    env,
  });
}

/** A path for a new generated repo inside the run's scratch folder. */
export function workPath(name: string): string {
  return path.join(inject('workDir'), name);
}

/** Runs a command in a generated repo and fails the test with its output if it fails. */
export async function runIn(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  // NO_COLOR: assertions read the test runner's summary, which colour codes would split.
  const result = await execa(command, args, { cwd, reject: false, all: true, stdin: 'ignore', env: { ...env, CI: 'true', NO_COLOR: '1' } });
  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.exitCode}):\n${result.all?.slice(-6_000)}`);
  }
  return result;
}

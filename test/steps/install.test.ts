import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CreateContext } from '../../src/context.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { installDependencies } from '../../src/steps/install.js';
import { useTempDirs, writeTree } from '../helpers/fs.js';

const tempDir = useTempDirs();

/** Puts a fake `npm` first on PATH that records its arguments in its cwd, then exits with `code` (or waits, `slow`). */
async function fakeNpm(code: number | 'slow'): Promise<void> {
  const bin = await tempDir();
  const end = code === 'slow' ? 'touch "$PWD/npm-started"\nexec sleep 30\n' : `exit ${code}\n`;
  await writeTree(bin, {
    npm: `#!/bin/sh\necho "$@" > "$PWD/npm-args.txt"\necho "fake npm output line"\necho "ERR! boom from fake npm" >&2\n${end}`,
  });
  await chmod(path.join(bin, 'npm'), 0o755);
  vi.stubEnv('PATH', `${bin}${path.delimiter}${process.env.PATH ?? ''}`);
}

function context(targetDir: string, warnings: string[]): CreateContext {
  return {
    cwd: path.dirname(targetDir),
    targetDir,
    answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' },
    generatorVersion: '0.0.0',
    packageManager: 'npm',
    options: { install: true, git: false, force: false, dryRun: false },
    out: { info: () => undefined, warn: (line) => warnings.push(line) },
  };
}

describe.skipIf(process.platform === 'win32')('installDependencies', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('runs "<package manager> install" in the target dir', async () => {
    await fakeNpm(0);
    const target = await tempDir();
    const warnings: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await installDependencies(context(target, warnings));
    } finally {
      stderr.mockRestore();
    }
    expect(await readFile(path.join(target, 'npm-args.txt'), 'utf8')).toBe('install\n');
    expect(warnings).toEqual([]);
  });

  it('a failed install is a CliError saying where the files are and how to retry, after showing the output', async () => {
    await fakeNpm(3);
    const target = await tempDir();
    const warnings: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let error: unknown;
    try {
      await installDependencies(context(target, warnings));
    } catch (caught) {
      error = caught;
    } finally {
      stderr.mockRestore();
    }
    expect(error).toBeInstanceOf(CliError);
    const where = path.basename(target);
    expect((error as CliError).exitCode).toBe(ExitCode.failure);
    expect((error as CliError).message).toBe(`dependency install failed; the files are in ${where}: run "cd ${where} && npm install" to retry`);
    expect(warnings.join('\n')).toContain('ERR! boom from fake npm');
    expect(warnings.join('\n')).toContain('fake npm output line');
  });

  it('Ctrl-C during the install: exit 130 and what to run to finish', async () => {
    await fakeNpm('slow');
    const target = await tempDir();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let error: unknown;
    try {
      const installing = installDependencies(context(target, [])).catch((caught: unknown) => caught);
      const started = path.join(target, 'npm-started');
      while (!existsSync(started)) await new Promise((resolve) => setTimeout(resolve, 20));
      process.emit('SIGINT', 'SIGINT');
      error = await installing;
    } finally {
      stderr.mockRestore();
    }
    const where = path.basename(target);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.interrupted);
    expect((error as CliError).message).toBe(`cancelled during the install; the files are in ${where}: run "cd ${where} && npm install" to finish`);
  });
});

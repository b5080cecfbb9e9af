import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The packed create-mcp-prod tarball, as users get it from the registry. */
    tarball: string;
    /** A project that has the tarball installed, so `npm create mcp-prod` resolves to it. */
    consumerDir: string;
    /** A scratch folder for generated repos, removed after the run. */
    workDir: string;
  }
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Packs this repo once (`npm pack` runs the build) and installs the tarball into a consumer project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'create-mcp-prod-e2e-'));
  const { stdout } = await execa('npm', ['pack', '--silent', '--pack-destination', workDir], { cwd: repoRoot });
  const tarball = path.join(workDir, stdout.trim().split('\n').at(-1) ?? '');

  const consumerDir = path.join(workDir, 'consumer');
  await execa('mkdir', ['-p', consumerDir]);
  await writeFile(path.join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: consumerDir });

  project.provide('tarball', tarball);
  project.provide('consumerDir', consumerDir);
  project.provide('workDir', workDir);
  return async () => {
    if (!process.env.KEEP_E2E) await rm(workDir, { recursive: true, force: true });
  };
}

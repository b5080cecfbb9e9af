import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/server-env.js';

// .github/workflows/ci.yml must run the checks this repo has, on the Node versions users run.

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[]; strategy?: { matrix?: Record<string, unknown[]> } }>;
}

const workflow = parse(readFileSync(path.join(repoRoot, '.github', 'workflows', 'ci.yml'), 'utf8')) as Workflow;
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('CI workflow', () => {
  it('tests on Node 22 and 24', () => {
    const test = workflow.jobs.test;
    expect(test?.strategy?.matrix?.node).toEqual([22, 24]);
    const setupNode = test?.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with?.['node-version']).toBe('${{ matrix.node }}');
  });

  it('installs from the lockfile, then builds, type-checks, lints, tests and audits the tools', () => {
    const runs = workflow.jobs.test?.steps.flatMap((step) => (step.run ? [step.run] : [])) ?? [];
    expect(runs).toEqual(['npm ci', 'npm run build', 'npm run typecheck', 'npm run lint', 'npm test', 'npm run audit:tools']);
    for (const run of runs) {
      const script = /^npm (?:run (\S+)|(test))$/.exec(run);
      if (script) expect(pkg.scripts, run).toHaveProperty(script[1] ?? script[2] ?? '');
    }
  });

  it('checks the generated files with the create-mcp-prod version recorded in .mcp-prod.json', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, '.mcp-prod.json'), 'utf8')) as { version: string };
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
    expect(runs).toContain(`npx --yes create-mcp-prod@${manifest.version} check`);
  });

  it('builds the Docker image', () => {
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
    expect(runs.some((run) => run.startsWith('docker build '))).toBe(true);
  });
});

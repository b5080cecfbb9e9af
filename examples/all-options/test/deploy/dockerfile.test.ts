import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { copies, execForm, healthcheckCommand, readDockerfile, runs } from '../helpers/dockerfile.js';
import { repoRoot, serverEnvNames } from '../helpers/server-env.js';

// The Dockerfile must agree with the server: the variables it sets, the port, the health check,
// and how node is started. Running its steps is proven by the generator's own end-to-end tests.

const dockerfile = readDockerfile();

describe('Dockerfile', () => {
  it('is multi-stage, every stage on Node 24', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) expect(stage.image).toMatch(/^node:24(-|$)/);
  });

  it('builds with dev dependencies and runs with production ones only', () => {
    const build = dockerfile.stages[0];
    if (!build?.name) throw new Error('the first stage needs a name (FROM ... AS build) for COPY --from');
    expect(runs(build)).toEqual(expect.arrayContaining(['npm ci', 'npm run build']));
    expect(runs(dockerfile.final).some((command) => /^npm ci --omit=dev\b/.test(command))).toBe(true);
    expect(runs(dockerfile.final).join('\n')).not.toMatch(/npm (install|i)\b|npm run build/);
    // The server reads ../package.json from dist/ at run time.
    expect(copies(dockerfile.final)).toEqual([
      { from: undefined, sources: ['package.json', 'package-lock.json'], destination: './' },
      { from: build.name, sources: ['/app/dist'], destination: './dist' },
    ]);
  });

  it('runs as a numeric non-root user, so Kubernetes runAsNonRoot can check it', () => {
    const [user] = dockerfile.args('USER');
    const uid = user?.split(':')[0] ?? '';
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it('starts node in exec form, as `npm start` does, so SIGTERM reaches the server', () => {
    const cmds = dockerfile.args('CMD');
    expect(cmds).toHaveLength(1);
    const argv = execForm(cmds[0] ?? '');
    if (!argv) throw new Error('CMD must be in exec form, a JSON array');
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(argv.join(' ')).toBe(pkg.scripts.start);
    expect(dockerfile.args('ENTRYPOINT')).toEqual([]);
  });

  it('sets only variables the server reads, with values it accepts', () => {
    const known = serverEnvNames();
    for (const name of Object.keys(dockerfile.env)) expect(known, `ENV ${name}`).toContain(name);
    const config = loadConfig(dockerfile.env);
    expect(config.transport).toBe('http');
  });

  it('listens on all interfaces, exposes the port and checks /healthz with node alone', () => {
    const config = loadConfig(dockerfile.env);
    expect(config.http.host).toBe('0.0.0.0');
    expect(dockerfile.args('EXPOSE')).toEqual([String(config.http.port)]);
    expect(dockerfile.args('HEALTHCHECK')).toHaveLength(1);
    const argv = healthcheckCommand(dockerfile);
    expect(argv?.[0]).toBe('node');
    expect(argv?.join(' ')).toContain('/healthz');
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps local state and secrets out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.env', '.git']));
  });

  it('keeps everything the Dockerfile copies from the context', () => {
    const sources = dockerfile.stages
      .flatMap(copies)
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(ignored, source).not.toContain(source.split('/')[0]);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { createMcpProd, workPath } from './helpers.js';

describe('the packed package', () => {
  it('ships the CLI and every template, with dotfiles under npm-safe names', async () => {
    const { stdout } = await execa('tar', ['-tzf', inject('tarball')]);
    const files = stdout.split('\n');
    expect(files).toContain('package/dist/cli.js');
    expect(files).toContain('package/templates/base/_gitignore');
    expect(files).toContain('package/templates/base/package.json.hbs');
    expect(files.some((file) => file.startsWith('package/templates/stdio/'))).toBe(true);
    expect(files.some((file) => file.startsWith('package/test/') || file.startsWith('package/src/'))).toBe(false);
  });

  it('is one bundle with its templates precompiled, and installs no dependency', async () => {
    const { stdout } = await execa('tar', ['-tzf', inject('tarball')]);
    expect(stdout.split('\n')).toEqual(
      expect.arrayContaining(['package/dist/create.js', 'package/dist/vendor/prompts.mjs', 'package/dist/precompiled-templates.js', 'package/dist/THIRD-PARTY-LICENSES.md']),
    );
    const installed = JSON.parse(readFileSync(path.join(inject('consumerDir'), 'node_modules', 'create-mcp-prod', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed.dependencies ?? {}).toEqual({});
    expect(existsSync(path.join(inject('consumerDir'), 'node_modules', 'handlebars'))).toBe(false);
  });

  it('works as `npm create mcp-prod`', async () => {
    const target = workPath('via-npm-create');
    const result = await execa('npm', ['create', 'mcp-prod', target, '--', '--yes', '--no-install', '--no-git'], {
      cwd: inject('consumerDir'),
      stdin: 'ignore',
    });
    expect(result.exitCode).toBe(0);
    expect(existsSync(path.join(target, '.gitignore'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(target, '.mcp-prod.json'), 'utf8'))).toMatchObject({
      generator: 'create-mcp-prod',
      answers: { name: 'via-npm-create', transports: ['stdio'], db: 'none' },
    });
  });

  it('works as `npx create-mcp-prod` and prints the next steps with client configuration', async () => {
    const target = workPath('via-npx');
    const result = await createMcpProd([target, '--yes', '--no-install', '--no-git']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('npm run build');
    expect(result.stdout).toContain('"mcpServers"');
    expect(result.stdout).toContain(path.join(target, 'dist', 'index.js'));
  });

  it('fails without a terminal and without answers, naming what is missing, and writes nothing', async () => {
    const target = workPath('no-answers');
    const result = await createMcpProd([target]);
    expect(result.exitCode).toBe(64);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--description.*--transport.*--db/);
    expect(existsSync(target)).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGeneratedRepo, extraNodes, testOnNode } from './generated-repo.js';
import { createMcpProd, workPath } from './helpers.js';

const repo = workPath('stdio-server');

beforeAll(async () => {
  const result = await createMcpProd([repo, '--name', 'stdio-server', '--description', 'Notes & search <e2e>', '--transport', 'stdio', '--db', 'none']);
  if (result.exitCode !== 0) throw new Error(`generation failed:\n${result.stderr}`);
});

describe('generated stdio server', () => {
  it('was installed and committed by the generator, with exact dependency pins', async () => {
    const log = await execa('git', ['log', '--oneline'], { cwd: repo });
    expect(log.stdout.split('\n')).toHaveLength(1);
    // The Dockerfile's `npm ci` needs the lockfile, so the first commit carries it.
    expect((await execa('git', ['ls-files', 'package-lock.json'], { cwd: repo })).stdout).toBe('package-lock.json');
    expect((await execa('git', ['status', '--porcelain'], { cwd: repo })).stdout).toBe('');
    const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      description: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.description).toBe('Notes & search <e2e>');
    expect(Object.keys(pkg.dependencies)).not.toContain('@modelcontextprotocol/node');
    for (const version of Object.values({ ...pkg.dependencies, ...pkg.devDependencies })) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('builds, lints, passes its own tests and its tool audit', async () => {
    await checkGeneratedRepo(repo);
  });

  it.each(extraNodes)('passes its own tests on %s', async (nodeBin) => {
    await testOnNode(repo, nodeBin);
  });

  it('talks to a 2025-era client, a 2026-07-28 client and the v1 SDK client', async () => {
    const params = {
      command: process.execPath,
      args: [path.join(repo, 'dist', 'index.js')],
      env: { PATH: process.env.PATH ?? '', DATA_DIR: workPath('stdio-server-data') },
      stderr: 'ignore' as const,
    };
    for (const mode of ['legacy', 'auto'] as const) {
      const client = new Client({ name: `generator-e2e-${mode}`, version: '1.0.0' }, { versionNegotiation: { mode } });
      await client.connect(new StdioClientTransport(params));
      expect(client.getNegotiatedProtocolVersion()).toBe(mode === 'legacy' ? '2025-11-25' : '2026-07-28');
      const result = await client.callTool({ name: 'append_note', arguments: { note: mode, text: 'from the generator e2e' } });
      expect(result.structuredContent).toEqual({ uri: `notes://note/${mode}`, line: 1 });
      expect(result.content).toEqual([{ type: 'text', text: JSON.stringify(result.structuredContent) }]);
      await client.close();
    }
    const v1 = new V1Client({ name: 'generator-e2e-v1', version: '1.0.0' });
    await v1.connect(new V1StdioClientTransport(params));
    const { tools } = await v1.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['append_note', 'search_notes', 'watch_note']);
    const found = await v1.callTool({ name: 'search_notes', arguments: { query: 'generator' } });
    expect(JSON.stringify(found.content)).toContain('from the generator e2e');
    await v1.close();
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers.js';
import type { CreateContext, PackageManager } from '../../src/context.js';
import { clientConfigs, nextSteps } from '../../src/steps/next-steps.js';

const cwd = path.resolve('/home/user/work');

function context(overrides: { answers?: Partial<Answers>; packageManager?: PackageManager; targetDir?: string } = {}): CreateContext {
  return {
    cwd,
    targetDir: overrides.targetDir ?? path.join(cwd, 'demo'),
    answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none', ...overrides.answers },
    generatorVersion: '0.0.0',
    packageManager: overrides.packageManager ?? 'npm',
    options: { install: true, git: true, force: false, dryRun: false },
    out: { info: () => undefined, warn: () => undefined },
  };
}

function parsed(config: string): Record<string, Record<string, Record<string, unknown>>> {
  return JSON.parse(config) as Record<string, Record<string, Record<string, unknown>>>;
}

describe('clientConfigs', () => {
  it('stdio: Claude Desktop, Cursor and VS Code, in that order, with their config files', () => {
    expect(clientConfigs(context()).map(({ client, file }) => [client, file])).toEqual([
      ['Claude Desktop', 'claude_desktop_config.json'],
      ['Cursor', '.cursor/mcp.json'],
      ['VS Code', '.vscode/mcp.json'],
    ]);
  });

  it('stdio: Claude Desktop and Cursor run node on the absolute dist/index.js under mcpServers', () => {
    const entry = path.join(cwd, 'demo', 'dist', 'index.js');
    const [claude, cursor] = clientConfigs(context());
    for (const config of [claude, cursor]) {
      const server = parsed(config?.config ?? '').mcpServers?.demo;
      expect(server).toEqual({ command: 'node', args: [entry] });
      expect(path.isAbsolute((server?.args as string[])[0] ?? '')).toBe(true);
    }
  });

  it('stdio: VS Code uses servers with type stdio', () => {
    const vscode = clientConfigs(context())[2];
    expect(parsed(vscode?.config ?? '')).toEqual({
      servers: { demo: { type: 'stdio', command: 'node', args: [path.join(cwd, 'demo', 'dist', 'index.js')] } },
    });
  });

  it('uses the unscoped part of a scoped name as the server key', () => {
    const [claude] = clientConfigs(context({ answers: { name: '@acme/weather' } }));
    expect(Object.keys(parsed(claude?.config ?? '').mcpServers ?? {})).toEqual(['weather']);
  });

  it('http only: every client gets the local /mcp URL; VS Code with type http', () => {
    const [claude, cursor, vscode] = clientConfigs(context({ answers: { transports: ['http'] } }));
    expect(parsed(claude?.config ?? '')).toEqual({ mcpServers: { demo: { url: 'http://127.0.0.1:3000/mcp' } } });
    expect(parsed(cursor?.config ?? '')).toEqual({ mcpServers: { demo: { url: 'http://127.0.0.1:3000/mcp' } } });
    expect(parsed(vscode?.config ?? '')).toEqual({ servers: { demo: { type: 'http', url: 'http://127.0.0.1:3000/mcp' } } });
  });

  it('follows the first transport: http,stdio → http; stdio,http → stdio', () => {
    expect(parsed(clientConfigs(context({ answers: { transports: ['http', 'stdio'] } }))[0]?.config ?? '').mcpServers?.demo).toHaveProperty('url');
    expect(parsed(clientConfigs(context({ answers: { transports: ['stdio', 'http'] } }))[0]?.config ?? '').mcpServers?.demo).toHaveProperty('command', 'node');
  });

  it('http with legacy sse is still configured by URL', () => {
    expect(parsed(clientConfigs(context({ answers: { transports: ['http', 'sse'] } }))[2]?.config ?? '').servers?.demo).toHaveProperty('type', 'http');
  });

  it('every config is pretty-printed JSON', () => {
    for (const { config } of clientConfigs(context())) {
      expect(() => JSON.parse(config) as unknown).not.toThrow();
      expect(config).toContain('\n  ');
    }
  });
});

describe('nextSteps', () => {
  it('npm, not installed: cd, install, build, test, audit, then client configs', () => {
    const output = nextSteps(context(), false);
    const lines = output.split('\n');
    expect(lines).toContain('Created demo in demo (stdio).');
    const next = lines.indexOf('Next:');
    expect(lines.slice(next + 1, next + 6)).toEqual(['  cd demo', '  npm install', '  npm run build', '  npm run test', '  npm run audit:tools']);
    expect(output).toContain('  Claude Desktop — claude_desktop_config.json:');
    expect(output).toContain('  VS Code — .vscode/mcp.json:');
    expect(output).toContain('    "mcpServers": {');
  });

  it('installed: no install step', () => {
    expect(nextSteps(context(), true)).not.toContain('npm install');
  });

  it('created in the cwd: no cd step', () => {
    const output = nextSteps(context({ targetDir: cwd }), true);
    expect(output).not.toContain('  cd ');
    expect(output).toContain('Created demo in . (stdio).');
  });

  it('outside the cwd: cd to the absolute path', () => {
    expect(nextSteps(context({ targetDir: path.resolve('/srv/demo') }), true)).toContain(`  cd ${path.resolve('/srv/demo')}`);
  });

  it('runs package scripts with "<pm> run", which every manager reads as the script (bun test would not)', () => {
    const pnpm = nextSteps(context({ packageManager: 'pnpm' }), false);
    expect(pnpm).toContain('  pnpm install\n  pnpm run build\n  pnpm run test\n  pnpm run audit:tools');
    const bun = nextSteps(context({ packageManager: 'bun' }), true);
    expect(bun).toContain('  bun run build\n  bun run test\n  bun run audit:tools');
  });

  it('names the transports and a database in the summary', () => {
    const output = nextSteps(context({ answers: { transports: ['stdio', 'http', 'sse'], db: 'postgres' } }), true);
    expect(output).toContain('Created demo in demo (stdio, http, sse, postgres).');
  });

  it('the configs it prints parse as JSON once de-indented', () => {
    const output = nextSteps(context(), true);
    const block = output.split('  VS Code — .vscode/mcp.json:\n')[1]?.split('\n\n')[0] ?? '';
    const json = block
      .split('\n')
      .map((line) => line.slice(4))
      .join('\n');
    expect(JSON.parse(json)).toEqual({ servers: { demo: { type: 'stdio', command: 'node', args: [path.join(cwd, 'demo', 'dist', 'index.js')] } } });
  });
});

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
  it('stdio: Claude Desktop, Claude Code, Cursor, VS Code, Gemini CLI and Codex, with where each config goes', () => {
    expect(clientConfigs(context()).map(({ client, file }) => [client, file])).toEqual([
      ['Claude Desktop', 'claude_desktop_config.json'],
      ['Claude Code', 'terminal'],
      ['Cursor', '.cursor/mcp.json'],
      ['VS Code', '.vscode/mcp.json'],
      ['Gemini CLI', '~/.gemini/settings.json'],
      ['Codex', '~/.codex/config.toml'],
    ]);
  });

  it('stdio: Claude Desktop, Cursor and Gemini CLI run node on the absolute dist/index.js under mcpServers', () => {
    const entry = path.join(cwd, 'demo', 'dist', 'index.js');
    const configs = clientConfigs(context());
    for (const config of configs.filter(({ client }) => ['Claude Desktop', 'Cursor', 'Gemini CLI'].includes(client))) {
      const server = parsed(config?.config ?? '').mcpServers?.demo;
      expect(server).toEqual({ command: 'node', args: [entry] });
      expect(path.isAbsolute((server?.args as string[])[0] ?? '')).toBe(true);
    }
  });

  it('stdio: Claude Code adds the server with a command after --; Codex gets a TOML table', () => {
    const entry = path.join(cwd, 'demo', 'dist', 'index.js');
    const byClient = Object.fromEntries(clientConfigs(context()).map(({ client, config }) => [client, config]));
    expect(byClient['Claude Code']).toBe(`claude mcp add demo -- node ${entry}`);
    expect(byClient.Codex).toBe(`[mcp_servers.demo]\ncommand = "node"\nargs = [${JSON.stringify(entry)}]`);
    const spaced = clientConfigs(context({ targetDir: path.join(cwd, 'my demo') }))[1];
    expect(spaced?.config).toBe(`claude mcp add demo -- node '${path.join(cwd, 'my demo', 'dist', 'index.js')}'`);
  });

  it('stdio: VS Code uses servers with type stdio', () => {
    const vscode = clientConfigs(context())[3];
    expect(parsed(vscode?.config ?? '')).toEqual({
      servers: { demo: { type: 'stdio', command: 'node', args: [path.join(cwd, 'demo', 'dist', 'index.js')] } },
    });
  });

  it('uses the unscoped part of a scoped name as the server key', () => {
    const [claude] = clientConfigs(context({ answers: { name: '@acme/weather' } }));
    expect(Object.keys(parsed(claude?.config ?? '').mcpServers ?? {})).toEqual(['weather']);
  });

  it('http only: every client gets the local /mcp URL; VS Code with type http', () => {
    const [, , cursor, vscode, gemini, codex] = clientConfigs(context({ answers: { transports: ['http'] } }));
    expect(parsed(cursor?.config ?? '')).toEqual({ mcpServers: { demo: { url: 'http://127.0.0.1:3000/mcp' } } });
    expect(parsed(vscode?.config ?? '')).toEqual({ servers: { demo: { type: 'http', url: 'http://127.0.0.1:3000/mcp' } } });
    // Gemini CLI reads `url` as legacy SSE: Streamable HTTP is `httpUrl`.
    expect(parsed(gemini?.config ?? '')).toEqual({ mcpServers: { demo: { httpUrl: 'http://127.0.0.1:3000/mcp' } } });
    expect(codex?.config).toBe('[mcp_servers.demo]\nurl = "http://127.0.0.1:3000/mcp"');
  });

  it('http: Claude Desktop takes commands only, so it goes through npx mcp-remote <url>', () => {
    const [claude] = clientConfigs(context({ answers: { transports: ['http'] } }));
    expect(parsed(claude?.config ?? '')).toEqual({ mcpServers: { demo: { command: 'npx', args: ['-y', 'mcp-remote', 'http://127.0.0.1:3000/mcp'] } } });
    expect(claude?.withToken).toBe('add "--header", "Authorization: Bearer <MCP_AUTH_TOKEN>" to args');
  });

  it('http: Claude Code uses --transport http, and every client says how to send a token', () => {
    const configs = clientConfigs(context({ answers: { transports: ['http'] } }));
    expect(configs[1]?.config).toBe('claude mcp add --transport http demo http://127.0.0.1:3000/mcp');
    expect(configs[1]?.withToken).toBe('add --header "Authorization: Bearer <MCP_AUTH_TOKEN>"');
    for (const { client, withToken } of configs) expect(withToken, client).toMatch(/Authorization|bearer_token_env_var = "MCP_AUTH_TOKEN"/);
  });

  it('stdio configs carry no token advice (nothing to authenticate on stdio)', () => {
    for (const { withToken } of clientConfigs(context())) expect(withToken).toBeUndefined();
  });

  it('follows the first transport: http,stdio → http; stdio,http → stdio', () => {
    expect(parsed(clientConfigs(context({ answers: { transports: ['http', 'stdio'] } }))[2]?.config ?? '').mcpServers?.demo).toHaveProperty('url');
    expect(parsed(clientConfigs(context({ answers: { transports: ['stdio', 'http'] } }))[0]?.config ?? '').mcpServers?.demo).toHaveProperty('command', 'node');
  });

  it('http with legacy sse is still configured by URL', () => {
    expect(parsed(clientConfigs(context({ answers: { transports: ['http', 'sse'] } }))[3]?.config ?? '').servers?.demo).toHaveProperty('type', 'http');
  });

  it('every config file but Codex\'s TOML is pretty-printed JSON', () => {
    for (const { config, file } of clientConfigs(context()).filter(({ file }) => file.endsWith('.json'))) {
      expect(file).toMatch(/\.json$/);
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

  it('says how to start the server and how to try it in one line with the inspector', () => {
    const stdio = nextSteps(context(), true);
    expect(stdio).toContain('  npm run start   # the server on stdio');
    expect(stdio).toContain('  npx @modelcontextprotocol/inspector --cli node dist/index.js --method tools/list');
    const http = nextSteps(context({ answers: { transports: ['http'] } }), true);
    expect(http).toContain('  npm run start   # serves http://127.0.0.1:3000/mcp');
    expect(http).toContain('npx @modelcontextprotocol/inspector --cli http://127.0.0.1:3000/mcp --transport http --method tools/list');
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

import path from 'node:path';
import type { CreateContext } from '../context.js';
import { displayPath } from './target.js';

/** The commands to run next and ready-made client configuration for the new server. */
export function nextSteps(ctx: Pick<CreateContext, 'answers' | 'packageManager' | 'cwd' | 'targetDir'>, installed: boolean): string {
  const { answers, packageManager: pm } = ctx;
  const where = displayPath(ctx.cwd, ctx.targetDir);
  // `<pm> run <script>` runs the package script with every manager (`bun test` would not).
  const run = (script: string) => `${pm} run ${script}`;
  const commands = [
    ...(where === '.' ? [] : [`cd ${where}`]),
    ...(installed ? [] : [`${pm} install`]),
    run('build'),
    run('test'),
    run('audit:tools'),
  ];
  const startsWithStdio = answers.transports[0] === 'stdio' || !answers.transports.includes('http');
  const lines = [
    '',
    `Created ${answers.name} in ${where} (${answers.transports.join(', ')}${answers.db === 'none' ? '' : `, ${answers.db}`}).`,
    '',
    'Next:',
    ...commands.map((command) => `  ${command}`),
    `  ${run('start')}   # ${startsWithStdio ? 'the server on stdio (a client usually starts it for you, see below)' : `serves ${LOCAL_URL}`}`,
    '',
    'Try it in one line (the MCP inspector, Node 22 or later), after the build:',
    startsWithStdio
      ? '  npx @modelcontextprotocol/inspector --cli node dist/index.js --method tools/list'
      : `  npx @modelcontextprotocol/inspector --cli ${LOCAL_URL} --transport http --method tools/list   # while npm start runs`,
    '  (without --cli and its options it opens the inspector in a browser)',
    '',
    'Connect a client (after the build):',
    ...clientConfigs(ctx).flatMap(({ client, file, config, withToken }) => [
      '',
      `  ${client} — ${file === 'terminal' ? 'run' : file}:`,
      indent(config, 4),
      ...(withToken ? [`    (server started with MCP_AUTH_TOKEN: ${withToken})`] : []),
    ]),
    '',
  ];
  return lines.join('\n');
}

interface ClientConfig {
  client: string;
  /** The file to add the config to, or `terminal` for a command to run. */
  file: string;
  config: string;
  /** What to change when the server runs with MCP_AUTH_TOKEN set (HTTP only). */
  withToken?: string;
}

const LOCAL_URL = 'http://127.0.0.1:3000/mcp';

/**
 * Ready-made configuration for the clients people run today. Each client has its own format
 * (checked against its documentation); a server that starts with stdio is configured as a
 * command, an HTTP one by URL. Claude Desktop's config file takes commands only, so an HTTP
 * server reaches it through `mcp-remote`, a small stdio-to-HTTP bridge from npm.
 */
export function clientConfigs(ctx: Pick<CreateContext, 'answers' | 'targetDir'>): ClientConfig[] {
  const { name, transports } = ctx.answers;
  const key = name.replace(/^@[^/]+\//, '');
  const entry = path.join(ctx.targetDir, 'dist', 'index.js');
  return transports[0] === 'stdio' || !transports.includes('http') ? stdioConfigs(key, entry) : httpConfigs(key, LOCAL_URL);
}

function stdioConfigs(key: string, entry: string): ClientConfig[] {
  const stdio = { command: 'node', args: [entry] };
  return [
    { client: 'Claude Desktop', file: 'claude_desktop_config.json', config: json({ mcpServers: { [key]: stdio } }) },
    { client: 'Claude Code', file: 'terminal', config: `claude mcp add ${key} -- node ${shellQuote(entry)}` },
    { client: 'Cursor', file: '.cursor/mcp.json', config: json({ mcpServers: { [key]: stdio } }) },
    { client: 'VS Code', file: '.vscode/mcp.json', config: json({ servers: { [key]: { type: 'stdio', ...stdio } } }) },
    { client: 'Gemini CLI', file: '~/.gemini/settings.json', config: json({ mcpServers: { [key]: stdio } }) },
    {
      client: 'Codex',
      file: '~/.codex/config.toml',
      config: [`[mcp_servers.${tomlKey(key)}]`, 'command = "node"', `args = [${JSON.stringify(entry)}]`].join('\n'),
    },
  ];
}

function httpConfigs(key: string, url: string): ClientConfig[] {
  const bearer = 'Authorization: Bearer <MCP_AUTH_TOKEN>';
  return [
    {
      client: 'Claude Desktop',
      file: 'claude_desktop_config.json',
      config: json({ mcpServers: { [key]: { command: 'npx', args: ['-y', 'mcp-remote', url] } } }),
      withToken: `add "--header", "${bearer}" to args`,
    },
    {
      client: 'Claude Code',
      file: 'terminal',
      config: `claude mcp add --transport http ${key} ${url}`,
      withToken: `add --header "${bearer}"`,
    },
    {
      client: 'Cursor',
      file: '.cursor/mcp.json',
      config: json({ mcpServers: { [key]: { url } } }),
      withToken: `add "headers": { "Authorization": "Bearer <MCP_AUTH_TOKEN>" }`,
    },
    {
      client: 'VS Code',
      file: '.vscode/mcp.json',
      config: json({ servers: { [key]: { type: 'http', url } } }),
      withToken: `add "headers": { "Authorization": "Bearer <MCP_AUTH_TOKEN>" }`,
    },
    {
      client: 'Gemini CLI',
      file: '~/.gemini/settings.json',
      // Gemini CLI reads `url` as a legacy SSE endpoint; Streamable HTTP is `httpUrl`.
      config: json({ mcpServers: { [key]: { httpUrl: url } } }),
      withToken: `add "headers": { "Authorization": "Bearer <MCP_AUTH_TOKEN>" }`,
    },
    {
      client: 'Codex',
      file: '~/.codex/config.toml',
      config: [`[mcp_servers.${tomlKey(key)}]`, `url = ${JSON.stringify(url)}`].join('\n'),
      withToken: 'add bearer_token_env_var = "MCP_AUTH_TOKEN" (Codex reads the token from that variable)',
    },
  ];
}

/** A bare TOML key when the name allows it, a quoted one otherwise (`my.server` would nest tables). */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

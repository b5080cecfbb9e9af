import path from 'node:path';
import type { CreateContext } from '../context.js';
import { displayPath } from './target.js';

/** The commands to run next and ready-made client configuration for the new server. */
export function nextSteps(ctx: CreateContext, installed: boolean): string {
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
  const lines = [
    '',
    `Created ${answers.name} in ${where} (${answers.transports.join(', ')}${answers.db === 'none' ? '' : `, ${answers.db}`}).`,
    '',
    'Next:',
    ...commands.map((command) => `  ${command}`),
    '',
    'Connect a client (after the build):',
    ...clientConfigs(ctx).flatMap(({ client, file, config }) => ['', `  ${client} — ${file}:`, indent(config, 4)]),
    '',
  ];
  return lines.join('\n');
}

interface ClientConfig {
  client: string;
  file: string;
  config: string;
}

export function clientConfigs(ctx: Pick<CreateContext, 'answers' | 'targetDir'>): ClientConfig[] {
  const { name, transports } = ctx.answers;
  const key = name.replace(/^@[^/]+\//, '');
  const entry = path.join(ctx.targetDir, 'dist', 'index.js');
  const stdio = { command: 'node', args: [entry] };
  const http = { url: 'http://127.0.0.1:3000/mcp' };
  const server = transports[0] === 'stdio' || !transports.includes('http') ? stdio : http;
  const vscodeServer = server === stdio ? { type: 'stdio', ...stdio } : { type: 'http', ...http };
  return [
    { client: 'Claude Desktop', file: 'claude_desktop_config.json', config: json({ mcpServers: { [key]: server } }) },
    { client: 'Cursor', file: '.cursor/mcp.json', config: json({ mcpServers: { [key]: server } }) },
    { client: 'VS Code', file: '.vscode/mcp.json', config: json({ servers: { [key]: vscodeServer } }) },
  ];
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

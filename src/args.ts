import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

export const COMMANDS = ['create', 'add-tool', 'add-resource', 'add-prompt', 'check', 'update', 'render'] as const;
export type Command = (typeof COMMANDS)[number];

const options = {
  yes: { type: 'boolean', short: 'y' },
  transport: { type: 'string' },
  db: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  answers: { type: 'string' },
  'no-install': { type: 'boolean' },
  'no-git': { type: 'boolean' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  commit: { type: 'boolean' },
  'from-package': { type: 'string' },
  out: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type OptionName = keyof typeof options;

/**
 * The options each command reads, besides --help and --version, and whether it takes arguments
 * (create and add-* check how many themselves). Anything else is a usage error: an option a
 * command ignores would look as if it had worked.
 */
const COMMAND_SHAPES: Record<Command, { options: readonly OptionName[]; takesArguments: boolean }> = {
  create: { options: ['yes', 'transport', 'db', 'name', 'description', 'answers', 'no-install', 'no-git', 'force', 'dry-run'], takesArguments: true },
  'add-tool': { options: ['yes', 'description'], takesArguments: true },
  'add-resource': { options: ['yes', 'description'], takesArguments: true },
  'add-prompt': { options: ['yes', 'description'], takesArguments: true },
  check: { options: ['json', 'from-package'], takesArguments: false },
  update: { options: ['dry-run', 'yes', 'commit', 'from-package'], takesArguments: false },
  render: { options: ['answers', 'out'], takesArguments: false },
};

export interface CliArgs {
  command: Command;
  positionals: string[];
  yes: boolean;
  transport?: string;
  db?: string;
  name?: string;
  description?: string;
  answers?: string;
  install: boolean;
  git: boolean;
  force: boolean;
  dryRun: boolean;
  help: boolean;
  version: boolean;
  /** Lifecycle commands (add-*, check, update, render). */
  json: boolean;
  commit: boolean;
  fromPackage?: string;
  out?: string;
}

/** argv (without node and the script) → a command and its options; bad input is a one-line usage error. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw usageError(describeParseError(error));
  }
  const { values, positionals, tokens } = parsed;
  const [first, ...others] = positionals;
  // `--` ends the options and the command: `create-mcp-prod -- check` creates a folder named check.
  const terminator = tokens.find((token) => token.kind === 'option-terminator')?.index ?? Number.POSITIVE_INFINITY;
  const firstIsOperand = (tokens.find((token) => token.kind === 'positional')?.index ?? 0) > terminator;
  const named = first !== undefined && !firstIsOperand && isCommand(first);
  const command: Command = named ? first : 'create';
  const rest = named ? others : positionals;
  assertFitsCommand(command, Object.keys(values) as OptionName[], rest);
  return {
    command,
    positionals: rest,
    yes: values.yes ?? false,
    ...(values.transport !== undefined && { transport: values.transport }),
    ...(values.db !== undefined && { db: values.db }),
    ...(values.name !== undefined && { name: values.name }),
    ...(values.description !== undefined && { description: values.description }),
    ...(values.answers !== undefined && { answers: values.answers }),
    install: !(values['no-install'] ?? false),
    git: !(values['no-git'] ?? false),
    force: values.force ?? false,
    dryRun: values['dry-run'] ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    json: values.json ?? false,
    commit: values.commit ?? false,
    ...(values['from-package'] !== undefined && { fromPackage: values['from-package'] }),
    ...(values.out !== undefined && { out: values.out }),
  };
}

function assertFitsCommand(command: Command, given: readonly OptionName[], positionals: readonly string[]): void {
  if (given.includes('help') || given.includes('version')) return;
  const shape = COMMAND_SHAPES[command];
  const misplaced = given.find((option) => !shape.options.includes(option));
  if (misplaced !== undefined) throw usageError(`option --${misplaced} does not apply to ${command} (see --help)`);
  if (!shape.takesArguments && positionals.length > 0) {
    throw usageError(`${command} takes no arguments, got ${positionals.map((positional) => `'${positional}'`).join(' ')} (see --help)`);
  }
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

/** Node's messages are long and suggest `--`; ours name the option and point at --help. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  // Node quotes the option as '--name' or '-y, --yes' or '--name <value>': keep the long name.
  const option = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option} (see --help)`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return message.includes('does not take an argument')
      ? `option ${option} takes no value (see --help)`
      : `option ${option} needs a value (see --help)`;
  }
  return `${message.split('\n')[0] ?? message} (see --help)`;
}

/** The commands `--help` lists, each with its usage and what it does. */
const COMMAND_USAGE: readonly (readonly [usage: string, summary: string])[] = [
  ['create-mcp-prod [dir] [options]', 'create a new MCP server repo'],
  ['create-mcp-prod add-tool <name> [--description <text>] [--yes]', 'add a tool (module, test, registration) to this repo'],
  ['create-mcp-prod add-resource <name> [--description <text>] [--yes]', 'add a resource'],
  ['create-mcp-prod add-prompt <name> [--description <text>] [--yes]', 'add a prompt'],
  ['create-mcp-prod check [--json] [--from-package <p>]', 'is this repo in step with its recorded version? 0 in sync; 1 managed files changed or conflict markers left; 64 not a generated repo; 69 the recorded version cannot be rendered'],
  [
    'create-mcp-prod update [--dry-run] [--yes] [--commit] [--from-package <tarball-or-folder>]',
    'bring this repo to this version, merging your edits; 0 done; 1 conflicts left; 64 usage (dirty tree, downgrade); 69 as check',
  ],
];

/** One command a paragraph: its usage, then what it does, wrapped under it. */
const usageLines = COMMAND_USAGE.map(([usage, summary], index) => `${index === 0 ? 'Usage: ' : '       '}${usage}
${wrap(summary, 70, '         ')}`);

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

export const HELP = `${usageLines.join('\n')}

Create options:
  --name <name>           npm package name (default: the directory name)
  --description <text>    one-line description
  --transport <list>      comma list of stdio, http, sse (default: stdio; sse implies http)
  --db <postgres|none>    database option (default: none)
  --answers <file.json>   read answers from a JSON file ({ name, description, transport, db }; up to 64 KiB)
  -y, --yes               use defaults for every unanswered question; never prompt
  --no-install            do not install dependencies
  --no-git                do not create a git repository
  --force                 allow a non-empty target directory; every file it replaces is listed and
                          your version kept under .mcp-prod-backup/<time>/
  --dry-run               print the files that would be written, write nothing
  -h, --help              show this help
  -v, --version           show the version

Each answer comes from the first of: a flag, the --answers file, a question (on a terminal), the
default (--yes). Without a terminal, every question needs a flag, --answers or --yes.

Exit codes: 0 done; 1 failed (nothing half-written); 64 bad usage or input; 66 the answers file
cannot be read; 75 another command is changing this repo (add-*, update: try again); 130 cancelled (Ctrl-C).
Docs: the generated README.md explains the server it writes.`;

import { describe, expect, it } from 'vitest';
import { COMMANDS, HELP, parseCliArgs } from '../src/args.js';
import { CliError, ExitCode } from '../src/errors.js';

function parseError(argv: string[]): CliError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`expected parseCliArgs(${JSON.stringify(argv)}) to throw`);
}

describe('parseCliArgs: commands', () => {
  it('defaults to create with no positionals and every option off', () => {
    expect(parseCliArgs([])).toEqual({
      command: 'create',
      positionals: [],
      yes: false,
      install: true,
      git: true,
      force: false,
      dryRun: false,
      help: false,
      version: false,
      json: false,
      commit: false,
    });
  });

  it('leaves string options out entirely when they are not given', () => {
    const args = parseCliArgs([]);
    for (const key of ['transport', 'db', 'name', 'description', 'answers', 'fromPackage', 'out']) expect(args).not.toHaveProperty(key);
  });

  it('treats a first positional that is not a command as the target dir of create', () => {
    expect(parseCliArgs(['my-dir'])).toMatchObject({ command: 'create', positionals: ['my-dir'] });
  });

  it('accepts an explicit create command', () => {
    expect(parseCliArgs(['create', 'my-dir'])).toMatchObject({ command: 'create', positionals: ['my-dir'] });
  });

  it('parses add-tool with its positional', () => {
    expect(parseCliArgs(['add-tool', 'search-docs'])).toMatchObject({ command: 'add-tool', positionals: ['search-docs'] });
  });

  it.each(['check', 'update'] as const)('parses %s with no positionals', (command) => {
    expect(parseCliArgs([command])).toMatchObject({ command, positionals: [] });
  });

  it('knows the commands of the design, plus the hidden render', () => {
    expect([...COMMANDS]).toEqual(['create', 'add-tool', 'add-resource', 'add-prompt', 'check', 'update', 'render']);
  });

  it('only the first positional can be a command: `x check` is create with two positionals', () => {
    expect(parseCliArgs(['x', 'check'])).toMatchObject({ command: 'create', positionals: ['x', 'check'] });
  });

  it('after `--` nothing is a command: `-- check` creates a folder named check', () => {
    expect(parseCliArgs(['--', 'check'])).toMatchObject({ command: 'create', positionals: ['check'] });
    expect(parseCliArgs(['--yes', '--', 'update'])).toMatchObject({ command: 'create', positionals: ['update'], yes: true });
    expect(parseCliArgs(['add-tool', '--', '--weird'])).toMatchObject({ command: 'add-tool', positionals: ['--weird'] });
  });

  it('keeps more than one dir as positionals (create rejects them later)', () => {
    expect(parseCliArgs(['a', 'b'])).toMatchObject({ command: 'create', positionals: ['a', 'b'] });
  });

  it('allows options before and after the positional', () => {
    expect(parseCliArgs(['--db', 'none', 'my-dir', '--force'])).toMatchObject({
      positionals: ['my-dir'],
      db: 'none',
      force: true,
    });
  });
});

describe('parseCliArgs: options', () => {
  it.each([
    [['--transport', 'stdio,http'], { transport: 'stdio,http' }],
    [['--transport=sse'], { transport: 'sse' }],
    [['--db', 'postgres'], { db: 'postgres' }],
    [['--name', '@acme/weather'], { name: '@acme/weather' }],
    [['--description', 'A & B <demo>'], { description: 'A & B <demo>' }],
    [['--answers', 'answers.json'], { answers: 'answers.json' }],
    [['--yes'], { yes: true }],
    [['-y'], { yes: true }],
    [['--force'], { force: true }],
    [['--dry-run'], { dryRun: true }],
    [['--help'], { help: true }],
    [['-h'], { help: true }],
    [['--version'], { version: true }],
    [['-v'], { version: true }],
  ] as const)('%j → %j', (argv, expected) => {
    expect(parseCliArgs(argv)).toMatchObject(expected);
  });

  it('--no-install turns install off and leaves git on', () => {
    expect(parseCliArgs(['--no-install'])).toMatchObject({ install: false, git: true });
  });

  it('--no-git turns git off and leaves install on', () => {
    expect(parseCliArgs(['--no-git'])).toMatchObject({ install: true, git: false });
  });

  it('parses every option at once', () => {
    const args = parseCliArgs([
      'dir',
      '-y',
      '--transport',
      'stdio',
      '--db',
      'none',
      '--name',
      'n',
      '--description',
      'd',
      '--answers',
      'a.json',
      '--no-install',
      '--no-git',
      '--force',
      '--dry-run',
    ]);
    expect(args).toEqual({
      command: 'create',
      positionals: ['dir'],
      yes: true,
      transport: 'stdio',
      db: 'none',
      name: 'n',
      description: 'd',
      answers: 'a.json',
      install: false,
      git: false,
      force: true,
      dryRun: true,
      help: false,
      version: false,
      json: false,
      commit: false,
    });
  });

  it('keeps a description with spaces as one value', () => {
    expect(parseCliArgs(['--description', 'two words'])).toMatchObject({ description: 'two words' });
  });
});

describe('parseCliArgs: usage errors', () => {
  it('an unknown long option is a usage error with a short message', () => {
    const error = parseError(['--foo']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe('unknown option --foo (see --help)');
  });

  it('a flag given a value says it takes none', () => {
    expect(parseError(['--yes=1']).message).toBe('option --yes takes no value (see --help)');
    expect(parseError(['--force=true']).message).toBe('option --force takes no value (see --help)');
  });

  it('an option missing its value says so, without Node’s <value> placeholder', () => {
    expect(parseError(['--transport']).message).toBe('option --transport needs a value (see --help)');
  });

  it('an unknown short option is named too', () => {
    expect(parseError(['-x']).message).toBe('unknown option -x (see --help)');
  });

  it('--install (only --no-install exists) is unknown', () => {
    expect(parseError(['--install']).message).toBe('unknown option --install (see --help)');
  });

  it.each(['--transport', '--db', '--name', '--description', '--answers'])('%s without a value is a usage error naming it', (option) => {
    const error = parseError(['my-dir', option]);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain(option);
    expect(error.message).toContain('needs a value');
    expect(error.message).toMatch(/\(see --help\)$/);
    expect(error.message).not.toContain('\n');
  });

  it('an option value that looks like an option is refused, naming the option', () => {
    const error = parseError(['--description', '-x']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('--description');
  });

  it('a value given to a boolean option is a usage error naming the option', () => {
    const error = parseError(['--yes=1']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('--yes');
    expect(error.message).not.toContain('\n');
  });

  it('a usage error is a one-line CliError, not a Node TypeError', () => {
    const error = parseError(['--foo']);
    expect(error.name).toBe('CliError');
    expect(error.message).not.toMatch(/ERR_PARSE_ARGS|To specify a positional/);
  });
});

describe('parseCliArgs: options that do not apply to the command', () => {
  it.each([
    [['check', '--transport', 'http'], 'option --transport does not apply to check'],
    [['update', '--dry-run', '--db', 'postgres'], 'option --db does not apply to update'],
    [['add-tool', 'zz', '--force'], 'option --force does not apply to add-tool'],
    [['add-prompt', 'p', '--answers', 'a.json'], 'option --answers does not apply to add-prompt'],
    [['my-dir', '--yes', '--json'], 'option --json does not apply to create'],
    [['--commit'], 'option --commit does not apply to create'],
    [['create', 'd', '--from-package', '/p'], 'option --from-package does not apply to create'],
  ])('%j is a usage error: %s', (argv, message) => {
    const error = parseError(argv);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(`${message} (see --help)`);
  });

  it.each([['check', 'extra'], ['update', '--dry-run', 'foo', 'bar'], ['render', 'x']])('%j: check, update and render take no arguments', (...argv) => {
    const error = parseError(argv);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toMatch(/^(check|update|render) takes no arguments, got '/);
  });

  it('accepts each command with every option it reads', () => {
    expect(parseCliArgs(['add-resource', 'r', '--description', 'd', '--yes'])).toMatchObject({ command: 'add-resource', description: 'd', yes: true });
    expect(parseCliArgs(['check', '--json', '--from-package', '/p'])).toMatchObject({ command: 'check', json: true, fromPackage: '/p' });
    expect(parseCliArgs(['update', '--dry-run', '--yes', '--commit', '--from-package', '/p'])).toMatchObject({ command: 'update', dryRun: true, commit: true });
    expect(parseCliArgs(['render', '--answers', 'a.json', '--out', 'o'])).toMatchObject({ command: 'render', answers: 'a.json', out: 'o' });
  });

  it('--help and --version go with any command and any option', () => {
    expect(parseCliArgs(['check', '--transport', 'http', '--help'])).toMatchObject({ command: 'check', help: true });
    expect(parseCliArgs(['update', 'extra', '--version'])).toMatchObject({ command: 'update', version: true });
  });
});

describe('HELP', () => {
  it.each([
    '--name',
    '--description',
    '--transport',
    '--db',
    '--answers',
    '--yes',
    '-y',
    '--no-install',
    '--no-git',
    '--force',
    '--dry-run',
    '--help',
    '--version',
  ])('documents %s', (option) => {
    expect(HELP).toMatch(new RegExp(`(^|[\\s,])${option}\\b`, 'm'));
  });

  // Commands are listed only once they work: test/cli.test.ts checks each listed one against the built CLI.
  it('starts with the create usage', () => {
    const [usage, summary] = HELP.split('\n');
    expect(usage).toBe('Usage: create-mcp-prod [dir] [options]');
    expect(summary?.trim()).toBe('create a new MCP server repo');
  });
});

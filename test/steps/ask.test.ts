import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWERS } from '../../src/answers.js';
import { parseCliArgs } from '../../src/args.js';
import type { PromptObject } from 'prompts';
import { CancelledError, CliError, ExitCode } from '../../src/errors.js';
import { DEFAULT_DIR, MAX_ANSWERS_BYTES, resolveAnswers, type Prompt } from '../../src/steps/ask.js';
import { useTempDirs } from '../helpers/fs.js';

const tempDir = useTempDirs();

/** Resolves answers the way the CLI does without a terminal. */
function resolve(argv: string[]) {
  return resolveAnswers(parseCliArgs(argv), false);
}

async function failure(argv: string[]): Promise<CliError> {
  try {
    await resolve(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to fail`);
}

async function answersFile(content: unknown): Promise<string> {
  const file = path.join(await tempDir(), 'answers.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('resolveAnswers without a terminal', () => {
  it('with nothing given, fails with exit 64 naming every missing flag on one line', async () => {
    const error = await failure([]);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).not.toContain('\n');
    expect(error.message).toBe('no terminal to ask questions: pass [dir] or --name, --description, --transport, --db (or --answers <file>, or --yes for defaults)');
  });

  it('names only the flags still missing', async () => {
    const error = await failure(['my-dir', '--transport', 'stdio']);
    expect(error.message).toContain('pass --description, --db (');
    expect(error.message).not.toContain('--transport,');
    expect(error.message).not.toContain('[dir]');
  });

  it('succeeds with every answer given as flags and no --yes', async () => {
    await expect(resolve(['my-dir', '--description', 'x', '--transport', 'stdio', '--db', 'none'])).resolves.toEqual({
      dir: 'my-dir',
      answers: { name: 'my-dir', description: 'x', transports: ['stdio'], db: 'none' },
      // The name is the default derived from the folder the command line gave.
      sources: { dir: 'flags', name: 'defaults', description: 'flags', transports: 'flags', db: 'flags' },
    });
  });

  it('--yes fills every default', async () => {
    await expect(resolve(['--yes'])).resolves.toEqual({
      dir: DEFAULT_DIR,
      answers: { name: 'my-mcp-server', description: 'A production-ready MCP server', transports: ['stdio'], db: 'none' },
      sources: { dir: 'defaults', name: 'defaults', description: 'defaults', transports: 'defaults', db: 'defaults' },
    });
  });

  it('derives the name from the directory: "My Server" → my-server, dir kept as given', async () => {
    await expect(resolve(['My Server', '--yes'])).resolves.toMatchObject({ dir: 'My Server', answers: { name: 'my-server' } });
  });

  it('derives the name from the last segment of a nested dir', async () => {
    await expect(resolve(['servers/Weather', '--yes'])).resolves.toMatchObject({ dir: 'servers/Weather', answers: { name: 'weather' } });
  });

  it('puts a scoped --name in the dir after the scope', async () => {
    await expect(resolve(['--name', '@acme/weather', '--yes'])).resolves.toMatchObject({ dir: 'weather', answers: { name: '@acme/weather' } });
  });

  it('--name wins over the name derived from the dir', async () => {
    await expect(resolve(['some-dir', '--name', 'other-name', '--yes'])).resolves.toMatchObject({ dir: 'some-dir', answers: { name: 'other-name' } });
  });

  it('normalises --transport and --db', async () => {
    await expect(resolve(['x', '--yes', '--transport', 'stdio,sse', '--db', 'POSTGRES'])).resolves.toMatchObject({
      answers: { transports: ['stdio', 'http', 'sse'], db: 'postgres' },
    });
  });

  it('rejects more than one dir with exit 64', async () => {
    const error = await failure(['a', 'b', '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe('expected one target directory, got 2');
  });

  it.each([
    [['--name', 'Bad Name', '--yes'], /invalid name "Bad Name"/],
    [['x', '--transport', 'carrier-pigeon', '--yes'], /invalid --transport value "carrier-pigeon"/],
    [['x', '--db', 'mysql', '--yes'], /invalid --db value "mysql"/],
    [['x', '--description', 'a\nb', '--yes'], /invalid --description/],
  ])('%j is a usage error even with --yes', async (argv, message) => {
    const error = await failure(argv);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toMatch(message);
  });

  it('a directory whose name yields no valid package name is a usage error', async () => {
    const error = await failure(['!!!', '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe('cannot make a package name from the directory name "!!!": pass --name');
  });
});

describe('resolveAnswers with --answers', () => {
  it('uses the values of the answers file, with no --yes needed', async () => {
    const file = await answersFile({ name: 'from-file', description: 'file desc', transport: 'stdio,http', db: 'postgres' });
    await expect(resolve(['--answers', file])).resolves.toEqual({
      dir: 'from-file',
      answers: { name: 'from-file', description: 'file desc', transports: ['stdio', 'http'], db: 'postgres' },
      sources: { dir: 'defaults', name: 'file', description: 'file', transports: 'file', db: 'file' },
    });
  });

  it('accepts transports as a list', async () => {
    const file = await answersFile({ name: 'x', description: 'd', transports: ['sse'], db: 'none' });
    await expect(resolve(['--answers', file])).resolves.toMatchObject({ answers: { transports: ['http', 'sse'] } });
  });

  it('flags override the answers file', async () => {
    const file = await answersFile({ name: 'from-file', description: 'file desc', transport: 'stdio', db: 'none' });
    await expect(resolve(['--answers', file, '--description', 'flag desc', '--db', 'postgres'])).resolves.toMatchObject({
      answers: { name: 'from-file', description: 'flag desc', transports: ['stdio'], db: 'postgres' },
    });
  });

  it('a partial answers file still needs the rest without a terminal', async () => {
    const file = await answersFile({ name: 'x' });
    const error = await failure(['--answers', file]);
    expect(error.message).toContain('pass --description, --transport, --db');
  });

  it('a missing file fails with exit 66 and one line naming the file', async () => {
    const file = path.join(await tempDir(), 'missing.json');
    const error = await failure(['--answers', file, '--yes']);
    expect(error.exitCode).toBe(ExitCode.noInput);
    expect(error.message).toBe(`cannot read answers file ${file}: ENOENT`);
  });

  it.each([
    ['{"name": ', /is not valid JSON$/],
    ['[]', /must hold a JSON object$/],
    ['null', /must hold a JSON object$/],
    ['{"name":"x","colour":"blue"}', /has unknown key "colour"$/],
    ['{"name": 5}', /"name" must be a string$/],
    ['{"db": ["none"]}', /"db" must be a string$/],
    ['{"transport": [1, 2]}', /"transport" must be a string or a list of strings$/],
    ['{"transport": "carrier-pigeon"}', /invalid --transport value "carrier-pigeon"/],
    ['{"transport": "http", "transports": ["stdio"]}', /has both "transport" and "transports"; keep one$/],
    ['{"name": "Bad Name"}', /invalid name "Bad Name"/],
    ['{"description": "two\\nlines"}', /invalid --description/],
  ])('rejects %s with exit 64', async (content, message) => {
    const file = await answersFile(content);
    const error = await failure(['--answers', file, '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('resolveAnswers --answers limits', () => {
  it('accepts a file that starts with a UTF-8 byte order mark', async () => {
    const file = await answersFile(`\uFEFF${JSON.stringify({ name: 'bom', description: 'd', transport: 'stdio', db: 'none' })}`);
    await expect(resolve(['--answers', file])).resolves.toMatchObject({ answers: { name: 'bom' } });
  });

  it('refuses a file over 64 KiB with exit 64 and one line, without reading it all', async () => {
    const file = await answersFile(`{"description": "${'x'.repeat(MAX_ANSWERS_BYTES)}"}`);
    const error = await failure(['--answers', file, '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(`answers file ${file} is larger than 64 KiB; it should hold a few answers`);
  });

  it('a folder given as the answers file is unreadable: exit 66', async () => {
    const dir = await tempDir();
    expect((await failure(['--answers', dir, '--yes'])).exitCode).toBe(ExitCode.noInput);
  });
});

/** A scripted terminal: answers in order, every question recorded. */
function scripted(...answers: unknown[]) {
  const asked: PromptObject<'value'>[] = [];
  const warnings: string[] = [];
  const prompt: Prompt = (question) => {
    asked.push(question);
    if (answers.length === 0) throw new Error(`unexpected question: ${String(question.message)}`);
    return Promise.resolve(answers.shift());
  };
  return { asked, warnings, io: { prompt, warn: (line: string) => void warnings.push(line) } };
}

describe('resolveAnswers on a terminal (the prompt injected)', () => {
  it('asks what flags did not answer, in order, and uses the answers', async () => {
    const terminal = scripted('weather', 'Weather tools', ['http', 'sse'], 'postgres');
    const result = await resolveAnswers(parseCliArgs([]), true, terminal.io);
    expect(terminal.asked.map((question) => question.message)).toEqual(['Project name', 'Description', 'Transports', 'Database']);
    expect(result).toEqual({
      dir: 'weather',
      answers: { name: 'weather', description: 'Weather tools', transports: ['http', 'sse'], db: 'postgres' },
      sources: { dir: 'defaults', name: 'prompts', description: 'prompts', transports: 'prompts', db: 'prompts' },
    });
  });

  it('checks a given target before asking anything', async () => {
    const terminal = scripted();
    const checkTarget = async (dir: string) => {
      throw new CliError(`target directory ${dir} is not empty`);
    };
    await expect(resolveAnswers(parseCliArgs(['taken']), true, { ...terminal.io, checkTarget })).rejects.toThrow('target directory taken is not empty');
    expect(terminal.asked).toEqual([]);
  });

  it('checks the folder a typed name gives inside the name question, then asks the rest', async () => {
    const terminal = scripted('fresh', 'd', ['stdio'], 'none');
    const checked: string[] = [];
    const checkTarget = async (dir: string) => {
      checked.push(dir);
      if (dir === 'taken') throw new CliError('target directory taken is not empty; choose another directory or pass --force');
    };
    await resolveAnswers(parseCliArgs([]), true, { ...terminal.io, checkTarget });
    const validate = terminal.asked[0]?.validate as (value: string) => Promise<true | string>;
    await expect(validate('taken')).resolves.toBe('target directory taken is not empty; choose another directory or pass --force');
    await expect(validate('Bad Name')).resolves.toMatch(/^invalid name "Bad Name"/);
    await expect(validate('free')).resolves.toBe(true);
    expect(checked).toContain('fresh');
  });

  it('an empty transport choice is asked again with a plain sentence, not the package text', async () => {
    const terminal = scripted('demo', 'd', [], ['stdio'], 'none');
    const result = await resolveAnswers(parseCliArgs([]), true, terminal.io);
    expect(terminal.warnings).toEqual(['Pick at least one transport: space selects the highlighted one, enter confirms.']);
    expect(result.answers.transports).toEqual(['stdio']);
    const transportQuestion = terminal.asked[2] as PromptObject<'value'> & { instructions?: unknown; min?: unknown };
    expect(transportQuestion.instructions).toBe(false);
    expect(transportQuestion.min).toBeUndefined();
  });

  it('a cancelled question ends the run as cancelled (exit 130)', async () => {
    const prompt: Prompt = () => Promise.reject(new CancelledError());
    const error = await resolveAnswers(parseCliArgs([]), true, { prompt }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CliError).exitCode).toBe(ExitCode.interrupted);
  });
});

describe('resolveAnswers in layers: flags, then the answers file, then questions, then defaults', () => {
  it('on a terminal: a flag beats the file, the file beats a question, and only the unanswered question is asked', async () => {
    const file = await answersFile({ name: 'from-file', description: 'file desc', transport: 'http' });
    const terminal = scripted('postgres');
    const result = await resolveAnswers(parseCliArgs(['--answers', file, '--description', 'flag desc']), true, terminal.io);
    expect(terminal.asked.map((question) => question.message)).toEqual(['Database']);
    expect(result).toEqual({
      dir: 'from-file',
      answers: { name: 'from-file', description: 'flag desc', transports: ['http'], db: 'postgres' },
      sources: { name: 'file', description: 'flags', transports: 'file', db: 'prompts', dir: 'defaults' },
    });
  });

  it('with --yes on a terminal nothing is asked: defaults fill what flags and the file left', async () => {
    const file = await answersFile({ transport: 'http' });
    const terminal = scripted();
    const result = await resolveAnswers(parseCliArgs(['server', '--answers', file, '--yes']), true, terminal.io);
    expect(terminal.asked).toEqual([]);
    expect(result).toEqual({
      dir: 'server',
      answers: { name: 'server', description: DEFAULT_ANSWERS.description, transports: ['http'], db: 'none' },
      sources: { dir: 'flags', name: 'defaults', description: 'defaults', transports: 'file', db: 'defaults' },
    });
  });

  it('asks nothing when the file and flags answered everything', async () => {
    const file = await answersFile({ name: 'all-given', description: 'd', transport: 'stdio', db: 'none' });
    const terminal = scripted();
    await expect(resolveAnswers(parseCliArgs(['--answers', file]), true, terminal.io)).resolves.toMatchObject({ answers: { name: 'all-given' } });
    expect(terminal.asked).toEqual([]);
  });

  it('asks only the questions a flag did not answer, in their usual order', async () => {
    const terminal = scripted(['stdio'], 'none');
    await resolveAnswers(parseCliArgs(['my-dir', '--description', 'd']), true, terminal.io);
    expect(terminal.asked.map((question) => question.message)).toEqual(['Transports', 'Database']);
  });
});

describe('a bad answer says which layer it came from', () => {
  it('a flag: the message names the flag and nothing else', async () => {
    const error = await failure(['x', '--db', 'mysql', '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe('invalid --db value "mysql": expected one of none, postgres');
  });

  it('the answers file: the message starts with the file', async () => {
    const file = await answersFile({ transport: 'stdio,carrier-pigeon' });
    const error = await failure(['x', '--answers', file, '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(`answers file ${file}: invalid --transport value "carrier-pigeon": expected a comma list of stdio, http, sse`);
  });

  it('the answers file is checked whole, even where a flag overrides it: a typo there would bite the next run', async () => {
    const file = await answersFile({ db: 'mysql' });
    const error = await failure(['x', '--answers', file, '--db', 'none', '--yes']);
    expect(error.message).toBe(`answers file ${file}: invalid --db value "mysql": expected one of none, postgres`);
  });

  it('a question: the message says it was the answer on the terminal', async () => {
    // The real prompt validates as the user types; an injected one can hand back anything.
    const terminal = scripted('Bad Name', 'd', ['stdio'], 'none');
    const error = await resolveAnswers(parseCliArgs([]), true, terminal.io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    expect((error as CliError).message).toMatch(/^your answer on the terminal: invalid name "Bad Name"/);
  });

  it('a default: the name made from the directory says so, and how to choose another', async () => {
    const error = await failure(['http', '--yes']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe('the name made from the directory "http": invalid name "http": http is a core module name; pass --name');
  });
});

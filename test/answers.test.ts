import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANSWERS,
  PRECEDENCE,
  QUESTION_FLAGS,
  mergeLayers,
  parseDatabase,
  parseDescription,
  parseLayer,
  parseTransports,
  type AnswerLayer,
} from '../src/answers.js';
import { CliError, ExitCode } from '../src/errors.js';

function usageFailure(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    return error as CliError;
  }
  throw new Error('expected a usage error');
}

describe('parseTransports', () => {
  it.each([
    ['stdio', ['stdio']],
    ['http', ['http']],
    ['http,stdio', ['http', 'stdio']],
    ['stdio,http', ['stdio', 'http']],
    ['stdio,http,sse', ['stdio', 'http', 'sse']],
  ] as const)('%s keeps the given order → %j', (input, expected) => {
    expect(parseTransports(input)).toEqual(expected);
  });

  it('drops duplicates, keeping the first position', () => {
    expect(parseTransports('http,stdio,http,stdio')).toEqual(['http', 'stdio']);
  });

  it('sse alone brings http with it, before sse', () => {
    expect(parseTransports('sse')).toEqual(['http', 'sse']);
  });

  it('stdio,sse becomes stdio,http,sse', () => {
    expect(parseTransports('stdio,sse')).toEqual(['stdio', 'http', 'sse']);
  });

  it('sse,http does not add http twice', () => {
    expect(parseTransports('sse,http')).toEqual(['http', 'sse']);
  });

  it('trims and lower-cases items', () => {
    expect(parseTransports(' STDIO , Http ')).toEqual(['stdio', 'http']);
  });

  it('accepts a list (answers file, prompt) as well as a string', () => {
    expect(parseTransports(['stdio', 'sse'])).toEqual(['stdio', 'http', 'sse']);
  });

  it.each(['carrier-pigeon', 'stdio,websocket', 'std io'])('rejects the unknown value in %j with exit code 64', (input) => {
    const error = usageFailure(() => parseTransports(input));
    expect(error.message).toMatch(/invalid --transport/);
    expect(error.message).toContain('stdio, http, sse');
  });

  it('names the bad item', () => {
    expect(usageFailure(() => parseTransports('stdio,carrier-pigeon')).message).toContain('"carrier-pigeon"');
  });

  it.each(['', ',', 'stdio,', ',stdio', 'stdio,,http', ' , '])('rejects empty items in %j with exit code 64', (input) => {
    expect(usageFailure(() => parseTransports(input)).message).toMatch(/invalid --transport/);
  });

  it('rejects an empty list', () => {
    usageFailure(() => parseTransports([]));
  });
});

describe('parseDatabase', () => {
  it.each([
    ['none', 'none'],
    ['postgres', 'postgres'],
    [' Postgres ', 'postgres'],
    ['NONE', 'none'],
  ] as const)('%j → %s', (input, expected) => {
    expect(parseDatabase(input)).toBe(expected);
  });

  it.each(['mysql', '', 'postgresql', 'none,postgres'])('rejects %j with exit code 64 and lists the choices', (input) => {
    const error = usageFailure(() => parseDatabase(input));
    expect(error.message).toContain(`"${input}"`);
    expect(error.message).toContain('none, postgres');
  });
});

describe('parseDescription', () => {
  it('trims surrounding whitespace', () => {
    expect(parseDescription('  A server  ')).toBe('A server');
  });

  it('keeps special characters as they are', () => {
    expect(parseDescription(`A & B <demo> "q" 'x' \\ $`)).toBe(`A & B <demo> "q" 'x' \\ $`);
  });

  it.each(['line one\nline two', 'line one\r\nline two', 'a\rb'])('rejects a multi-line description %j', (input) => {
    expect(usageFailure(() => parseDescription(input)).message).toMatch(/one line/);
  });

  it.each(['a\u0000b', 'a\tb', 'a\u001bb', 'a\u007fb'])('rejects a control character %j', (input) => {
    expect(usageFailure(() => parseDescription(input)).message).toMatch(/no control characters/);
  });

  it('keeps Unicode text, emoji included', () => {
    expect(parseDescription('Météo für 東京 🌤')).toBe('Météo für 東京 🌤');
  });

  it.each(['', '   '])('rejects an empty description %j', (input) => {
    usageFailure(() => parseDescription(input));
  });

  it('accepts 200 characters and rejects 201', () => {
    expect(parseDescription('x'.repeat(200))).toHaveLength(200);
    usageFailure(() => parseDescription('x'.repeat(201)));
  });

  it('a trailing newline is trimmed rather than rejected', () => {
    expect(parseDescription('one line\n')).toBe('one line');
  });
});

describe('answer defaults and flags', () => {
  it('defaults to stdio, no database', () => {
    expect(DEFAULT_ANSWERS).toMatchObject({ transports: ['stdio'], db: 'none' });
    expect(() => parseDescription(DEFAULT_ANSWERS.description)).not.toThrow();
  });

  it('maps every question to its flag', () => {
    expect(QUESTION_FLAGS).toEqual({ name: '--name', description: '--description', transports: '--transport', db: '--db' });
  });
});

describe('answer layers', () => {
  const flags: AnswerLayer = { source: 'flags', values: { description: 'from flags' } };
  const file: AnswerLayer = { source: 'file', values: { description: 'from file', transports: ['http'] } };
  const prompts: AnswerLayer = { source: 'prompts', values: { description: 'typed', transports: ['stdio'], db: 'postgres' } };
  const defaults: AnswerLayer = { source: 'defaults', values: { name: 'dflt', dir: 'dflt', ...DEFAULT_ANSWERS } };

  it('takes each answer from the first layer in PRECEDENCE that has it: flags, file, prompts, defaults', () => {
    expect(PRECEDENCE).toEqual(['flags', 'file', 'prompts', 'defaults']);
    expect(mergeLayers([flags, file, prompts, defaults])).toEqual({
      values: { description: 'from flags', transports: ['http'], db: 'postgres', name: 'dflt', dir: 'dflt' },
      sources: { description: 'flags', transports: 'file', db: 'prompts', name: 'defaults', dir: 'defaults' },
    });
  });

  it('the precedence does not depend on the order the layers were gathered in', () => {
    expect(mergeLayers([defaults, prompts, file, flags])).toEqual(mergeLayers([flags, file, prompts, defaults]));
  });

  it.each([
    ['flags', 'file', flags, file],
    ['file', 'prompts', file, prompts],
    ['prompts', 'defaults', prompts, defaults],
  ] as const)('%s wins over %s', (_higherName, _lowerName, higher, lower) => {
    const merged = mergeLayers([lower, higher]);
    expect(merged.values.description).toBe(higher.values.description);
    expect(merged.sources.description).toBe(higher.source);
  });

  it('an answer a layer leaves undefined falls through to the next', () => {
    const merged = mergeLayers([{ source: 'flags', values: { db: undefined } }, prompts]);
    expect(merged.values.db).toBe('postgres');
    expect(merged.sources.db).toBe('prompts');
  });

  it('parseLayer validates and normalises a typed layer, keeping only what it answered', () => {
    expect(parseLayer('file', { transports: ['sse'], db: ' Postgres ' })).toEqual({ source: 'file', values: { transports: ['http', 'sse'], db: 'postgres' } });
  });

  it('a bad value from the command line names the flag, with no other prefix', () => {
    expect(usageFailure(() => parseLayer('flags', { db: 'mysql' })).message).toBe('invalid --db value "mysql": expected one of none, postgres');
  });

  it.each([
    [{ transports: 'carrier-pigeon' }, 'invalid --transport value "carrier-pigeon"'],
    [{ db: 'mysql' }, 'invalid --db value "mysql"'],
    [{ description: 'two\nlines' }, 'invalid --description'],
    [{ name: 'Bad Name' }, 'invalid name "Bad Name"'],
  ])('a bad value from elsewhere starts with where it came from: %j', (raw, problem) => {
    const error = usageFailure(() => parseLayer('file', raw, 'answers file ./a.json'));
    expect(error.message.startsWith(`answers file ./a.json: ${problem}`), error.message).toBe(true);
  });
});

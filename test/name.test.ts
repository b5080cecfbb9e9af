import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../src/errors.js';
import { defaultDirFor, nameFromDir, validateName } from '../src/name.js';

function nameError(name: string): CliError {
  try {
    validateName(name);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`expected ${JSON.stringify(name)} to be rejected`);
}

describe('validateName', () => {
  it.each(['demo', 'my-mcp-server', 'a.b-c_d', 'x1', '@acme/weather', '@acme/my.server'])('accepts %j and returns it unchanged', (name) => {
    expect(validateName(name)).toBe(name);
  });

  it.each([
    ['Bad', 'capital letters'],
    ['bad name', 'URL-friendly'],
    ['.hidden', 'period'],
    ['_private', 'underscore'],
    ['a'.repeat(215), '214'],
    ['', 'greater than zero'],
    ['node_modules', 'not a valid package name'],
    ['http', 'core module'],
    ['@Acme/x', 'capital letters'],
  ])('rejects %j with a usage error naming the problem (%s)', (name, problem) => {
    const error = nameError(name);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain(`invalid name "${name}"`);
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain('\n');
  });

  it('accepts a name of exactly 214 characters', () => {
    expect(validateName('a'.repeat(214))).toHaveLength(214);
  });
});

describe('defaultDirFor', () => {
  it('uses the part after the scope for a scoped name', () => {
    expect(defaultDirFor('@acme/x')).toBe('x');
    expect(defaultDirFor('@acme/weather-server')).toBe('weather-server');
  });

  it('uses an unscoped name as is', () => {
    expect(defaultDirFor('demo')).toBe('demo');
  });
});

describe('nameFromDir', () => {
  it.each([
    ['My Server', 'my-server'],
    ['demo', 'demo'],
    ['  Padded  ', 'padded'],
    ['a  b!!', 'a-b'],
    ['.hidden', 'hidden'],
    ['--dash-', 'dash'],
    ['v1.2_x', 'v1.2_x'],
    ['UPPER_case', 'upper_case'],
    // Accented letters keep their letter (NFC and NFD spellings alike), never vanish.
    ['café', 'cafe'],
    ['cafe\u0301', 'cafe'],
    ['Crème Brûlée', 'creme-brulee'],
    ['Ångström', 'angstrom'],
  ])('%j → %j', (dir, expected) => {
    expect(nameFromDir(dir)).toBe(expected);
  });

  it('turns plausible directory names into valid package names', () => {
    for (const dir of ['My Server', 'Weather MCP (v2)', 'a  b!!', '.config']) {
      expect(() => validateName(nameFromDir(dir))).not.toThrow();
    }
  });
});

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig, TRANSPORTS, VARIABLES } from '../src/config.js';
import { TELEMETRY_ENV_VARIABLES } from '../src/lib/telemetry/env.js';
import { settingsSchema } from '../src/settings.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.transport).toBe(TRANSPORTS[0]);
    expect(config.logLevel).toBe('info');
    expect(config.maxResultChars).toBe(8_000);
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('reads valid values', () => {
    const config = loadConfig({ LOG_LEVEL: 'debug', MAX_RESULT_CHARS: '20000', DATA_DIR: 'relative/data' });
    expect(config.logLevel).toBe('debug');
    expect(config.maxResultChars).toBe(20_000);
    expect(config.dataDir).toBe(path.resolve('relative/data'));
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ LOG_LEVEL: '' }).logLevel).toBe('info');
  });

  it.each([
    ['MCP_TRANSPORT', 'carrier-pigeon', /MCP_TRANSPORT must be one of/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of trace, debug/],
    ['MAX_RESULT_CHARS', 'lots', /MAX_RESULT_CHARS must be an integer/],
    ['MAX_RESULT_CHARS', '12.5', /MAX_RESULT_CHARS must be an integer/],
    ['MAX_RESULT_CHARS', '10', /MAX_RESULT_CHARS must be an integer from 1000/],
  ])('rejects %s=%s with a message naming the variable and the value', (name, value, message) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
    expect(load).toThrow(JSON.stringify(value));
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud', MAX_RESULT_CHARS: 'lots' })).toThrow(/LOG_LEVEL.*; MAX_RESULT_CHARS/);
  });
});

describe('the README configuration table', () => {
  const rows = configurationTable(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
  // Your own settings (src/settings.ts) are documented where you declare them.
  const serverVariables = VARIABLES.filter((variable) => !Object.hasOwn(settingsSchema.shape, variable.name));

  it('is found', () => {
    expect(rows.length).toBeGreaterThan(0);
  });

  it('lists every variable the server reads, with its default', () => {
    for (const variable of serverVariables) {
      const row = rows.find((candidate) => candidate.names.includes(variable.name));
      expect(row, `a row for ${variable.name}`).toBeDefined();
      expect(documentedDefault(row!, variable.name), `the default of ${variable.name}`).toBe(shownAsDefault(variable.defaultValue));
    }
  });

  it('names no variable the server does not read', () => {
    const read = [...ENV_VARIABLES, ...TELEMETRY_ENV_VARIABLES];
    for (const name of rows.flatMap((row) => row.names)) {
      // `OTEL_*` stands for the OpenTelemetry variables the SDK reads.
      const matches = name.endsWith('*') ? read.filter((known) => known.startsWith(name.slice(0, -1))) : read.filter((known) => known === name);
      expect(matches, `${name} in the README`).not.toEqual([]);
    }
  });

  it('describes every variable in src/config.ts too', () => {
    for (const variable of serverVariables) expect(variable.description, variable.name).not.toBe('');
  });
});

interface Row {
  names: string[];
  /** The values in backticks in the default column, in the order of `names` (or one for all). */
  defaults: string[];
}

/** The rows of the table under "## Configuration": `| `NAME`, `NAME` | meaning | default |`. */
function configurationTable(readme: string): Row[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Configuration\n')) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split(' | ');
      return { names: inBackticks(cells[0]!), defaults: inBackticks(cells.at(-1)!) };
    });
}

function inBackticks(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

/** The default the README gives a variable; undefined when it gives none in backticks ("unset", "all groups"). */
function documentedDefault(row: Row, name: string): string | undefined {
  return row.defaults.length === 1 ? row.defaults[0] : row.defaults[row.names.indexOf(name)];
}

/** A default as the README writes it: lists comma-separated, the temporary folder as `<tmpdir>`. */
function shownAsDefault(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(',');
  const text = String(value);
  return text.startsWith(os.tmpdir()) ? `<tmpdir>${text.slice(os.tmpdir().length)}` : text;
}

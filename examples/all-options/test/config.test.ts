import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, TRANSPORTS } from '../src/config.js';

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

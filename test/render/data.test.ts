import { describe, expect, it } from 'vitest';
import { deployNameFor, templateData } from '../../src/render/data.js';

describe('templateData', () => {
  it('exposes the answers, the generator version and has-flags', () => {
    expect(templateData({ name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, '1.2.3')).toEqual({
      name: 'demo',
      deployName: 'demo',
      description: 'd',
      transports: ['stdio'],
      db: 'none',
      serveTransports: ['stdio'],
      defaultTransport: 'stdio',
      has: { stdio: true, http: false, sse: false, postgres: false },
      generatorVersion: '1.2.3',
    });
  });

  it('leaves sse out of the served transports; the first served one is the default', () => {
    const data = templateData({ name: 'demo', description: 'd', transports: ['http', 'sse', 'stdio'], db: 'postgres' }, '1.0.0');
    expect(data.serveTransports).toEqual(['http', 'stdio']);
    expect(data.defaultTransport).toBe('http');
    expect(data.has).toEqual({ stdio: true, http: true, sse: true, postgres: true });
  });
});

describe('deployNameFor', () => {
  it.each([
    ['demo', 'demo'],
    ['@acme/weather', 'weather'],
    ['my_server.v2', 'my-server-v2'],
    ['notes--server-', 'notes-server'],
    ['9lives', 'mcp-9lives'],
    ['_-_', 'mcp'],
    ['a'.repeat(80), 'a'.repeat(63)],
    [`${'a'.repeat(62)}-b`, 'a'.repeat(62)],
  ])('%s → %s', (name, expected) => {
    const label = deployNameFor(name);
    expect(label).toBe(expected);
    expect(label).toMatch(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});

import { describe, expect, it } from 'vitest';
import { templateData } from '../../src/render/data.js';

describe('templateData', () => {
  it('exposes the answers, the generator version and has-flags', () => {
    expect(templateData({ name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, '1.2.3')).toEqual({
      name: 'demo',
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

import { describe, expect, it } from 'vitest';
import { checkReadiness } from '../../src/lib/readiness.js';

describe('checkReadiness', () => {
  it('is ready when every check passes', async () => {
    const report = await checkReadiness([{ name: 'a', check: async () => {} }], 1_000);
    expect(report).toEqual({ ready: true, checks: { a: 'ok' } });
  });

  it('is ready when a check passes with a note (a busy database), and shows the note', async () => {
    const report = await checkReadiness([{ name: 'db', check: async () => 'busy: all 3 pooled connections in use' }], 1_000);
    expect(report).toEqual({ ready: true, checks: { db: 'busy: all 3 pooled connections in use' } });
  });

  it('reports each failing check by name', async () => {
    const report = await checkReadiness(
      [
        { name: 'db', check: async () => Promise.reject(new Error('connection refused')) },
        { name: 'disk', check: async () => {} },
      ],
      1_000,
    );
    expect(report).toEqual({ ready: false, checks: { db: 'connection refused', disk: 'ok' } });
  });

  it('gives up on a check that hangs, and tells it to stop', async () => {
    let aborted = false;
    const report = await checkReadiness(
      [{ name: 'hung', check: (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))) }],
      20,
    );
    expect(report.ready).toBe(false);
    expect(report.checks.hung).toMatch(/no answer within 20 ms/);
    expect(aborted).toBe(true);
  });
});

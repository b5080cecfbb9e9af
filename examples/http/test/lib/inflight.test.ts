import { describe, expect, it } from 'vitest';
import { InFlightCalls, ShuttingDownError } from '../../src/lib/inflight.js';
import { captureLogs } from '../helpers/log-capture.js';

describe('InFlightCalls', () => {
  it('counts calls until they end', () => {
    const calls = new InFlightCalls();
    const a = calls.begin('a', new AbortController().signal);
    const b = calls.begin('b', new AbortController().signal);
    expect(calls.count).toBe(2);
    a.end();
    b.end();
    expect(calls.count).toBe(0);
  });

  it('aborts a call when its caller aborts', () => {
    const caller = new AbortController();
    const call = new InFlightCalls().begin('a', caller.signal);
    caller.abort(new Error('client cancelled'));
    expect(call.signal.aborted).toBe(true);
    expect((call.signal.reason as Error).message).toBe('client cancelled');
  });

  it('drain waits for running calls to finish, without aborting them', async () => {
    const calls = new InFlightCalls();
    const call = calls.begin('slow', new AbortController().signal);
    let drained = false;
    const draining = calls.drain(60_000, captureLogs().logger).then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    call.end();
    await draining;
    expect(drained).toBe(true);
    expect(call.signal.aborted).toBe(false);
  });

  it('drain aborts and names the calls still running at the deadline', async () => {
    const calls = new InFlightCalls();
    const { logger, entries } = captureLogs();
    const call = calls.begin('stuck', new AbortController().signal);
    await calls.drain(10, logger);
    expect(call.signal.aborted).toBe(true);
    expect(entries.find((entry) => entry.level === 'warn')).toMatchObject({ tool: 'stuck' });
  });

  it('refuses new calls once draining has started', async () => {
    const calls = new InFlightCalls();
    await calls.drain(0, captureLogs().logger);
    expect(() => calls.begin('late', new AbortController().signal)).toThrow(ShuttingDownError);
  });

  it('tells observers when each call starts and how it ended, once', () => {
    const calls = new InFlightCalls();
    const seen: string[] = [];
    calls.observe({
      started: (tool) => seen.push(`started ${tool}`),
      finished: (tool, outcome, seconds) => seen.push(`finished ${tool} ${outcome} ${seconds >= 0}`),
    });
    const ok = calls.begin('a', new AbortController().signal);
    const failed = calls.begin('b', new AbortController().signal);
    failed.end('error');
    ok.end();
    ok.end();
    expect(seen).toEqual(['started a', 'started b', 'finished b error true', 'finished a ok true']);
  });
});


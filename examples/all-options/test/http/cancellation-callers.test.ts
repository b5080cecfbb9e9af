import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { InFlightRequests } from '../../src/http/cancellation.js';
import { requestState, type CallerIdentity } from '../../src/http/middleware.js';

// Who may cancel which call. An auth link that can tell callers apart sets `caller` in the
// request state; then a cancellation reaches only that caller's own calls. These requests all
// come from one address with one shared token, as every client does behind a proxy.

function request(caller?: CallerIdentity): IncomingMessage {
  const req = { headers: { authorization: 'Bearer one-token-shared-by-everyone' }, socket: { remoteAddress: '10.0.0.1' } } as unknown as IncomingMessage;
  if (caller !== undefined) requestState(req).caller = caller;
  return req;
}

describe('cancellation keys', () => {
  it('lets a caller with an identity cancel only its own call with that id', () => {
    const calls = new InFlightRequests();
    const alice = new AbortController();
    const bob = new AbortController();
    calls.track(request({ subject: 'alice', clientId: 'app' }), [7], alice);
    calls.track(request({ subject: 'bob', clientId: 'app' }), [7], bob);

    // Same subject, another client: not the same caller either.
    expect(calls.cancel(request({ subject: 'alice', clientId: 'other-app' }), 7, 'guess')).toBe(false);
    expect(calls.cancel(request({ subject: 'mallory', clientId: 'app' }), 7, 'guess')).toBe(false);
    expect(alice.signal.aborted || bob.signal.aborted).toBe(false);

    expect(calls.cancel(request({ subject: 'bob', clientId: 'app' }), 7, 'bob cancels')).toBe(true);
    expect(bob.signal.aborted).toBe(true);
    expect(alice.signal.aborted).toBe(false);
  });

  it('never reaches a call that is not in flight: not one that ended, not one that starts later', () => {
    const calls = new InFlightRequests();
    const caller = { subject: 'alice' };
    const first = new AbortController();
    const untrack = calls.track(request(caller), [1], first);
    untrack();
    expect(calls.cancel(request(caller), 1, 'too late')).toBe(false);
    expect(first.signal.aborted).toBe(false);

    // A cancellation that arrives before its call is not remembered for it.
    expect(calls.cancel(request(caller), 2, 'too early')).toBe(false);
    const second = new AbortController();
    calls.track(request(caller), [2], second);
    expect(second.signal.aborted).toBe(false);
    expect(calls.size).toBe(1);
  });

  it('without identities cannot tell callers behind one address and token apart (see the README security notes)', () => {
    const calls = new InFlightRequests();
    const victim = new AbortController();
    calls.track(request(), [3], victim);
    expect(calls.cancel(request(), 3, 'anyone with the shared token')).toBe(true);
    expect(victim.signal.aborted).toBe(true);
  });
});

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestId } from '@modelcontextprotocol/server';
import { requestState } from './middleware.js';

/**
 * 2025-era clients cancel a call with a separate `notifications/cancelled` POST. Served
 * statelessly, that POST reaches a fresh server instance that knows nothing of the call, so the
 * tool would run on. This keeps the in-flight HTTP requests by caller and JSON-RPC id, and aborts
 * the one a cancellation names, only while it is in flight (a cancellation is never remembered
 * for a call that has not started or has already ended).
 *
 * Who "the caller" is decides who may cancel what. When an auth link sets the request state's
 * `caller` (an OAuth token's subject and client), a caller reaches only its own calls. Without
 * one (no auth, or one token shared by everyone) the server cannot tell callers apart: the key
 * falls back to the client address plus its credentials, which behind a proxy with one shared
 * token is every client; the README's security notes say so. Either way a cancellation is
 * applied only when exactly one call matches, never guessed.
 */
export class InFlightRequests {
  private readonly byKey = new Map<string, Set<AbortController>>();

  /** Registers one HTTP request's JSON-RPC ids; call the returned function when it ends. */
  track(req: IncomingMessage, ids: readonly RequestId[], controller: AbortController): () => void {
    const keys = ids.map((id) => key(req, id));
    for (const k of keys) {
      const set = this.byKey.get(k) ?? new Set();
      set.add(controller);
      this.byKey.set(k, set);
    }
    return () => {
      for (const k of keys) {
        const set = this.byKey.get(k);
        set?.delete(controller);
        if (set?.size === 0) this.byKey.delete(k);
      }
    };
  }

  /** Aborts the caller's request with that id; false when none or more than one matches. */
  cancel(req: IncomingMessage, id: RequestId, reason: string): boolean {
    const matches = this.byKey.get(key(req, id));
    if (matches?.size !== 1) return false;
    for (const controller of matches) controller.abort(new Error(reason));
    return true;
  }

  get size(): number {
    return this.byKey.size;
  }
}

function key(req: IncomingMessage, id: RequestId): string {
  return `${callerKey(req)}|${JSON.stringify(id)}`;
}

/** Exported for tests: the identity a cancellation must share with the call it names. */
export function callerKey(req: IncomingMessage): string {
  const { caller } = requestState(req);
  if (caller !== undefined) return `identity:${JSON.stringify([caller.subject, caller.clientId ?? null])}`;
  const { authorization } = req.headers;
  // Hashed so the key never holds a secret; a request without credentials has nothing to hash.
  const credentials = authorization === undefined ? '' : createHash('sha256').update(authorization).digest('base64url');
  return `address:${req.socket.remoteAddress ?? ''}|${credentials}`;
}

import type { AuthInfo } from '@modelcontextprotocol/server';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The HTTP edge is a chain of small middlewares with one signature. Each link handles one concern:
 * it either answers the request itself (and does not call `next`) or calls `next()` to pass it on.
 * `server.ts` composes the chain in one place, with the order and the reason for it.
 */
export type Next = () => Promise<void>;
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => Promise<void>;

/** Runs `chain` in order; a link that does not call `next` ends the request there. */
export function compose(...chain: Middleware[]): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return (req, res) => {
    const run = async (index: number): Promise<void> => {
      const link = chain[index];
      if (link === undefined) return;
      let called = false;
      await link(req, res, () => {
        if (called) return Promise.reject(new Error('a middleware called next() twice'));
        called = true;
        return run(index + 1);
      });
    };
    return run(0);
  };
}

/** Who is calling, as far as an auth link can tell (an OAuth token's subject and client). */
export interface CallerIdentity {
  subject: string;
  clientId?: string | undefined;
}

/**
 * What earlier links learned about a request that later links need. It lives beside the request,
 * not on it: a `WeakMap` keyed by the request, so it goes away with the request and no link can
 * read a field another forgot to set without the type saying it may be missing.
 */
export interface RequestState {
  /** The JSON body, parsed once by the body link (`undefined` for a request without one). */
  body?: unknown;
  /** Set by an auth link that can tell callers apart; a cancellation then reaches only that caller's calls. */
  caller?: CallerIdentity;
  /** The verified OAuth access token's facts; the SDK hands them to the server factory and every handler. */
  auth?: AuthInfo;
}

const states = new WeakMap<IncomingMessage, RequestState>();

/** The request's state, created empty on first use; links read and set its fields. */
export function requestState(req: IncomingMessage): RequestState {
  let state = states.get(req);
  if (state === undefined) {
    state = {};
    states.set(req, state);
  }
  return state;
}

import type { ServerResponse } from 'node:http';
import { checkReadiness, type ReadinessCheck } from '../lib/readiness.js';
import { sendJson } from './respond.js';

/** How long `/readyz` waits for each dependency before calling it unavailable. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Liveness: the process answers. Cheap and dependency-free, so a slow database never gets the pod killed. */
export function healthz(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' }, { 'cache-control': 'no-store' });
}

/** Readiness: dependencies answer and the server is not draining; otherwise 503 so traffic goes elsewhere. */
export async function readyz(res: ServerResponse, draining: boolean, checks: readonly ReadinessCheck[]): Promise<void> {
  if (draining) {
    sendJson(res, 503, { status: 'draining' }, { 'cache-control': 'no-store' });
    return;
  }
  const report = await checkReadiness(checks, READINESS_TIMEOUT_MS);
  sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'unavailable', checks: report.checks }, {
    'cache-control': 'no-store',
  });
}

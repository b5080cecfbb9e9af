/**
 * A start-up failure the operator can fix (an unusable DATA_DIR, a port in use): the entry point
 * logs its message as one line and exits non-zero, without a stack trace nobody needs.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** `EACCES: permission denied, mkdir '/data'` style text for a system error, else its message. */
export function describeCause(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { ExitCode, isCliError } from './errors.js';

/** Prints a failure as one line on stderr and returns its exit code; the stack only with DEBUG set. */
export function reportFailure(error: unknown): number {
  if (isCliError(error)) {
    process.stderr.write(`create-mcp-prod: ${error.message}\n`);
    return error.exitCode;
  }
  const detail = process.env.DEBUG && error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`create-mcp-prod: unexpected error: ${detail}\n`);
  return ExitCode.failure;
}

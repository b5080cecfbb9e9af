/** Exit codes follow sysexits(3) where one fits, so scripts can tell misuse from failure. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 64,
  noInput: 66,
  /** The version a repo records cannot be rendered (not on the registry, no network, broken package). */
  unavailable: 69,
  /** Another command is changing the repo: try again when it is done. */
  tempFail: 75,
  interrupted: 130,
} as const;

/**
 * Marks a CliError whichever copy of this module made it: the bin and each command are bundled
 * separately (scripts/build.mjs), each with a copy of this class, so `instanceof` cannot tell.
 */
const CLI_ERROR = Symbol.for('create-mcp-prod.CliError');

/** An error meant for the user: printed as one line, no stack, with its own exit code. */
export class CliError extends Error {
  readonly [CLI_ERROR] = true;

  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Whether `error` is a CliError, made by this bundle's copy of the class or another's. */
export function isCliError(error: unknown): error is CliError {
  return typeof error === 'object' && error !== null && (error as { [CLI_ERROR]?: unknown })[CLI_ERROR] === true;
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.usage);
}

/** Thrown when the user cancels (Ctrl-C at a prompt or during the run). */
export class CancelledError extends CliError {
  constructor() {
    super('cancelled', ExitCode.interrupted);
    this.name = 'CancelledError';
  }
}

const FILE_SYSTEM_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links in the path',
  EEXIST: 'something with that name is already there',
};

/** A file-system failure as one plain line: `<doing what>: <why>`, never a stack or a bare code. */
export function fileSystemError(error: unknown, doing: string): CliError {
  if (isCliError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = (code !== undefined && FILE_SYSTEM_PROBLEMS[code]) || (code ?? (error instanceof Error ? error.message : String(error)));
  const where = (error as NodeJS.ErrnoException).path;
  return new CliError(`${doing}: ${why}${where !== undefined && code !== undefined ? ` (${where})` : ''}`);
}

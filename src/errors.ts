/** Exit codes follow sysexits(3) where one fits, so scripts can tell misuse from failure. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 64,
  noInput: 66,
  /** The version a repo records cannot be rendered (not on the registry, no network, broken package). */
  unavailable: 69,
  interrupted: 130,
} as const;

/** An error meant for the user: printed as one line, no stack, with its own exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
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
  if (error instanceof CliError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = (code !== undefined && FILE_SYSTEM_PROBLEMS[code]) || (code ?? (error instanceof Error ? error.message : String(error)));
  const where = (error as NodeJS.ErrnoException).path;
  return new CliError(`${doing}: ${why}${where !== undefined && code !== undefined ? ` (${where})` : ''}`);
}

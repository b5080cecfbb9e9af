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

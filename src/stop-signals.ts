import os from 'node:os';
import { CancelledError } from './errors.js';

/**
 * What stops a run: Ctrl-C, `kill` or a CI job's timeout, a closed terminal. Without a listener
 * Node dies at once on each, leaving files half written.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's convention, 128 + the signal's number: 130 for Ctrl-C (as CancelledError), 143 for SIGTERM. */
export function signalExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? new CancelledError().exitCode : 128 + os.constants.signals[signal];
}

export interface HeldStopSignals {
  /** The first stop signal that came while held, if any. */
  readonly received: StopSignal | undefined;
  /** Stops holding: from here a stop signal acts as it would without us. */
  release(): void;
}

/**
 * Holds stop signals while a few files are written, so the writer can finish the step it is in and
 * put everything back before the run ends, instead of dying between two files.
 */
export function holdStopSignals(): HeldStopSignals {
  let received: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    received ??= signal;
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    get received() {
      return received;
    },
    release: () => {
      for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}

import { createLogger, type Logger } from '../../src/lib/logger.js';

export interface LogEntry {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A real logger whose JSON lines are kept in memory for assertions. */
export function captureLogs(level: 'debug' | 'info' = 'debug'): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = createLogger(level, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  return { logger, entries };
}

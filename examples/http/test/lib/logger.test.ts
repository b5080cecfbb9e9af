import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createLogger } from '../../src/lib/logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger', () => {
  it('writes one JSON object per line with a level label and ISO time', () => {
    const { lines, destination } = capture();
    createLogger('info', destination).info({ tool: 'x' }, 'hello');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'hello', tool: 'x' });
    expect(new Date(String(entry.time)).toISOString()).toBe(entry.time);
  });

  it('drops messages below the configured level', () => {
    const { lines, destination } = capture();
    const logger = createLogger('warn', destination);
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['loud']);
  });

  it('writes to stderr (fd 2) by default, never stdout', () => {
    const logger = createLogger('info');
    const stream = (logger as unknown as Record<symbol, { fd?: number }>)[pino.symbols.streamSym];
    expect(stream?.fd).toBe(2);
  });
});

import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
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

describe('trace fields', () => {
  it('puts trace_id and span_id on lines written inside a span, and nothing outside one', () => {
    const { lines, destination } = capture();
    const logger = createLogger('info', destination);
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    try {
      context.with(trace.setSpanContext(context.active(), spanContext), () => logger.info('inside'));
      logger.info('outside');
    } finally {
      context.disable();
    }
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside', trace_id: spanContext.traceId, span_id: spanContext.spanId });
    expect(outside?.msg).toBe('outside');
    expect(outside).not.toHaveProperty('trace_id');
  });
});

import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from '../../src/lib/telemetry/index.js';

export interface TestTracing {
  tracing: Tracing;
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** The one span named `name`; fails when there is none or several. */
  span(name: string): ReadableSpan;
  reset(): void;
}

/**
 * What the SDK sets up in production, with an in-memory exporter: registered globally (context
 * manager, propagator, tracer provider) so a tool's own spans and log lines see the active span.
 * Each vitest file runs in its own worker, so the globals stay within one file.
 */
export function useTestTracing(options: { captureContent?: boolean } = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const w3c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  propagation.setGlobalPropagator(w3c);
  return {
    tracing: { tracer: provider.getTracer('test'), metaPropagator: w3c, captureContent: options.captureContent ?? false },
    spans: () => exporter.getFinishedSpans(),
    span: (name) => {
      const matching = exporter.getFinishedSpans().filter((span) => span.name === name);
      if (matching.length !== 1) {
        throw new Error(`expected one span named ${JSON.stringify(name)}, got ${matching.length}: ${JSON.stringify(exporter.getFinishedSpans().map((span) => span.name))}`);
      }
      return matching[0] as ReadableSpan;
    },
    reset: () => exporter.reset(),
  };
}

/** A W3C `traceparent` for a made-up caller span. */
export function callerContext(): { traceparent: string; traceId: string; spanId: string } {
  const traceId = randomHex(16);
  const spanId = randomHex(8);
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

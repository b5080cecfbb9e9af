import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { captureContentRequested, tracingRequested } from './env.js';

/** What the MCP instrumentation needs when tracing is on. */
export interface Tracing {
  tracer: Tracer;
  /** Reads `traceparent`, `tracestate` and `baggage` from `params._meta` (W3C, as the MCP spec reserves them). */
  metaPropagator: TextMapPropagator;
  /** Record tool arguments and results on spans (opt-in: they may hold personal data). */
  captureContent: boolean;
}

export interface Telemetry {
  /** Undefined when tracing is off. */
  tracing: Tracing | undefined;
  /** Flushes spans and metrics and stops the exporters, giving up after `budgetMs`. Never throws. */
  shutdown(budgetMs: number): Promise<void>;
}

export const TELEMETRY_OFF: Telemetry = { tracing: undefined, shutdown: async () => {} };

/**
 * Starts OpenTelemetry when the standard variables ask for an exporter (see env.ts). Off, the
 * SDK is not imported at all. Call it before anything imports a library it instruments (`pg`).
 */
export async function startTelemetry(logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Telemetry> {
  if (!tracingRequested(env)) return TELEMETRY_OFF;
  const { startSdk } = await import('./sdk.js');
  const telemetry = startSdk(logger, { captureContent: captureContentRequested(env), env });
  logger.info({ endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null }, 'OpenTelemetry tracing on');
  return telemetry;
}

/** Waits for `work` up to `budgetMs`; a dead collector must not hold the process past its shutdown deadline. */
export async function withinBudget(work: Promise<unknown>, budgetMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    work.then(
      () => 'done' as const,
      (error: unknown) => {
        logger.warn({ err: error }, 'flushing telemetry failed');
        return 'failed' as const;
      },
    ),
    new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, budgetMs));
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'late') logger.warn({ budgetMs }, 'telemetry not flushed before the shutdown deadline; exiting without it');
}

import { diag, DiagLogLevel, trace, type DiagLogger } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SERVER_INFO } from '../../server-info.js';
import type { Logger } from '../logger.js';
import { withinBudget, type Telemetry } from './index.js';

/**
 * The OpenTelemetry Node SDK, configured by the standard variables: exporters and protocol
 * (`http/protobuf`, `http/json`, `grpc`), service name and resource attributes, sampler, batch
 * processor, metric export interval. Imported only when tracing is on (lib/telemetry/index.ts).
 */
export function startSdk(logger: Logger, options: { captureContent: boolean; env: NodeJS.ProcessEnv }): Telemetry {
  // The SDK reports export failures (a collector that is down) through `diag`: into our log, not a crash.
  diag.setLogger(diagToLogger(logger), DiagLogLevel.WARN);
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, names the service; otherwise the package name does.
    ...(!options.env.OTEL_SERVICE_NAME && { serviceName: SERVER_INFO.name }),
  });
  sdk.start();
  return {
    tracing: {
      tracer: trace.getTracer(SERVER_INFO.name, SERVER_INFO.version),
      metaPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
      captureContent: options.captureContent,
    },
    shutdown: (budgetMs) => withinBudget(sdk.shutdown(), budgetMs, logger),
  };
}

function diagToLogger(logger: Logger): DiagLogger {
  const log = (level: 'warn' | 'info' | 'debug') => (message: string, ...args: unknown[]) => logger[level]({ otel: args.map(String) }, message);
  return { error: log('warn'), warn: log('warn'), info: log('info'), debug: log('debug'), verbose: log('debug') };
}

import { metrics, type Attributes, type Histogram } from '@opentelemetry/api';

/** Bucket bounds for `mcp.server.operation.duration`, as the MCP semantic conventions advise (seconds). */
export const OPERATION_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** The value used in place of a method or tool name that is not in the fixed set (the conventions' fallback). */
export const OTHER = '_OTHER';

/** Method names a client may send: metrics label only these, so a client cannot invent label values. */
const KNOWN_METHODS = new Set([
  'completion/complete',
  'initialize',
  'logging/setLevel',
  'notifications/cancelled',
  'notifications/initialized',
  'notifications/progress',
  'notifications/roots/list_changed',
  'ping',
  'prompts/get',
  'prompts/list',
  'resources/list',
  'resources/read',
  'resources/subscribe',
  'resources/templates/list',
  'resources/unsubscribe',
  'server/discover',
  'subscriptions/listen',
  'tools/call',
  'tools/list',
]);

/** One finished MCP request or notification, with label values from a fixed set (safe for metrics). */
export interface OperationRecord {
  method: string;
  /** The tool of a `tools/call`, when it is one this server has. */
  toolName?: string | undefined;
  /** A JSON-RPC error code, `tool_error`, `cancelled` or `connection_closed`. */
  errorType?: string | undefined;
  network: 'pipe' | 'tcp';
  seconds: number;
}

export type OperationObserver = (operation: OperationRecord) => void;

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : OTHER;
}

export function toolLabel(name: string | undefined, knownTools: ReadonlySet<string>): string | undefined {
  if (name === undefined) return undefined;
  return knownTools.has(name) ? name : OTHER;
}

/**
 * `mcp.server.operation.duration` through the OpenTelemetry metrics API: exported over OTLP when
 * the SDK runs, a no-op otherwise. Created on first use, after the SDK (if any) has registered.
 */
export class OperationDurationMetric {
  private histogram: Histogram | undefined;

  record(operation: OperationRecord): void {
    this.histogram ??= metrics.getMeter('mcp-server').createHistogram('mcp.server.operation.duration', {
      unit: 's',
      description: 'MCP request or notification duration as observed on the server',
      advice: { explicitBucketBoundaries: OPERATION_DURATION_BUCKETS },
    });
    const attributes: Attributes = { 'mcp.method.name': operation.method, 'network.transport': operation.network };
    if (operation.toolName !== undefined) {
      attributes['gen_ai.tool.name'] = operation.toolName;
      attributes['gen_ai.operation.name'] = 'execute_tool';
    }
    if (operation.errorType !== undefined) attributes['error.type'] = operation.errorType;
    this.histogram.record(operation.seconds, attributes);
  }
}

/**
 * Finished operations, fanned out to whoever exports them (the HTTP transport's `/metrics`). The
 * server factory is built once, before any transport exists, so transports subscribe here.
 */
export class OperationFeed {
  private readonly observers: OperationObserver[] = [];

  observe(observer: OperationObserver): void {
    this.observers.push(observer);
  }

  readonly record: OperationObserver = (operation) => {
    for (const observer of this.observers) observer(operation);
  };
}

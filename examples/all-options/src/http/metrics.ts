import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROTOCOL_VERSION_META_KEY, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { Handshake } from '../lib/handshake.js';
import type { InFlightCalls, ToolCallObserver } from '../lib/inflight.js';
import { isRequest, messagesIn } from '../lib/jsonrpc.js';
import { OPERATION_DURATION_BUCKETS, type OperationObserver } from '../lib/telemetry/operations.js';
import type { StreamObserver } from './streams.js';

/**
 * Every label value comes from a fixed set: a client's protocol version, method or tool name is
 * client input, and each distinct label value is a new series kept in memory for ever. Anything
 * outside the set is counted as `other`.
 */
export const OTHER = 'other';

/** 2026-07-28 is the first revision of the modern era; the SDK lists the 2025-era ones. */
const PROTOCOL_VERSIONS: ReadonlySet<string> = new Set([...SUPPORTED_PROTOCOL_VERSIONS, '2026-07-28']);

/** The MCP methods of both eras (requests and notifications a client sends). */
const METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'server/discover',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

/** Tool names come from the tools this server registers; the cap is a second line of defence. */
const MAX_TOOL_LABELS = 200;

export function protocolVersionLabel(value: unknown): string {
  if (value === undefined) return 'unknown';
  return typeof value === 'string' && PROTOCOL_VERSIONS.has(value) ? value : OTHER;
}

export function methodLabel(value: unknown): string {
  return typeof value === 'string' && METHODS.has(value) ? value : OTHER;
}

/**
 * Prometheus metrics for `/metrics`, on a registry of their own (no global state, so tests can
 * run several servers in one process). Process metrics include `process_open_fds`.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly openStreams = new Gauge({
    name: 'mcp_open_streams',
    help: 'SSE streams open now, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly streamCloses = new Counter({
    name: 'mcp_stream_closes_total',
    help: 'SSE streams closed, by kind and reason',
    labelNames: ['kind', 'reason'],
    registers: [this.registry],
  });
  private readonly toolCallCount = new Counter({
    name: 'mcp_tool_calls_total',
    help: 'Tool calls finished, by tool and outcome',
    labelNames: ['tool', 'outcome'],
    registers: [this.registry],
  });
  private readonly toolCallSeconds = new Histogram({
    name: 'mcp_tool_call_duration_seconds',
    help: 'Tool call latency, by tool and outcome',
    labelNames: ['tool', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly handshakes = new Counter({
    name: 'mcp_handshakes_total',
    help: 'Client handshakes, by protocol era, requested version and outcome',
    labelNames: ['era', 'protocol_version', 'outcome'],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'mcp_requests_total',
    help: 'JSON-RPC requests received over HTTP, by protocol era, version and method',
    labelNames: ['era', 'protocol_version', 'method'],
    registers: [this.registry],
  });

  private readonly operationSeconds = new Histogram({
    name: 'mcp_server_operation_duration_seconds',
    help: 'MCP request and notification duration on this server (OpenTelemetry mcp.server.operation.duration), by method, tool and error type',
    labelNames: ['mcp_method_name', 'gen_ai_tool_name', 'error_type'],
    buckets: OPERATION_DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor(sources: { calls: InFlightCalls; sessions?: () => number }) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'mcp_inflight_tool_calls',
      help: 'Tool calls running now',
      registers: [this.registry],
      collect() {
        this.set(sources.calls.count);
      },
    });
    const { sessions } = sources;
    if (sessions) {
      new Gauge({
        name: 'mcp_legacy_sse_sessions',
        help: 'Legacy HTTP+SSE sessions open now',
        registers: [this.registry],
        collect() {
          this.set(sessions());
        },
      });
    }
  }

  private readonly toolLabels = new Set<string>();

  private toolLabel(name: string): string {
    if (this.toolLabels.has(name)) return name;
    if (this.toolLabels.size >= MAX_TOOL_LABELS) return OTHER;
    this.toolLabels.add(name);
    return name;
  }

  readonly toolCalls: ToolCallObserver = {
    started: () => {},
    finished: (name, outcome, seconds) => {
      const tool = this.toolLabel(name);
      this.toolCallCount.inc({ tool, outcome });
      this.toolCallSeconds.observe({ tool, outcome }, seconds);
    },
  };

  /** Every MCP request and notification, traced or not; label values come from a fixed set (lib/telemetry/operations.ts). */
  readonly operations: OperationObserver = (operation) => {
    this.operationSeconds.observe(
      {
        mcp_method_name: operation.method,
        ...(operation.toolName !== undefined && { gen_ai_tool_name: operation.toolName }),
        ...(operation.errorType !== undefined && { error_type: operation.errorType }),
      },
      operation.seconds,
    );
  };

  readonly streams: StreamObserver = {
    opened: (kind) => this.openStreams.inc({ kind }),
    closed: (kind, reason) => {
      this.openStreams.dec({ kind });
      this.streamCloses.inc({ kind, reason });
    },
  };

  readonly recordHandshake = (handshake: Handshake): void => {
    const outcome = handshake.supported ? 'ok' : handshake.servedVersion === undefined ? 'refused' : 'downgraded';
    this.handshakes.inc({ era: handshake.era, protocol_version: protocolVersionLabel(handshake.requestedVersion), outcome });
  };

  /**
   * Counts the JSON-RPC requests in one HTTP body. 2026-07-28 requests name their version in
   * `_meta`; 2025-era clients in `initialize` and then in the `MCP-Protocol-Version` header.
   */
  countRequests(body: unknown, protocolHeader: string | string[] | undefined): void {
    const header = typeof protocolHeader === 'string' ? protocolHeader : undefined;
    for (const message of messagesIn(body)) {
      if (!isRequest(message)) continue;
      const { method, params = {} } = message as { method: unknown; params?: { _meta?: Record<string, unknown>; protocolVersion?: unknown } };
      const modern = typeof params === 'object' && params !== null ? params._meta?.[PROTOCOL_VERSION_META_KEY] : undefined;
      if (typeof modern === 'string') {
        this.requests.inc({ era: 'modern', protocol_version: protocolVersionLabel(modern), method: methodLabel(method) });
        continue;
      }
      const legacy = method === 'initialize' && typeof params === 'object' && params !== null ? params.protocolVersion : header;
      this.requests.inc({ era: 'legacy', protocol_version: protocolVersionLabel(legacy), method: methodLabel(method) });
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

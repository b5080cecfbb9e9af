import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { Handshake } from '../lib/handshake.js';
import type { InFlightCalls } from '../lib/inflight.js';
import type { ToolCallObserver } from '../tools/register.js';
import type { StreamObserver } from './streams.js';

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
    help: 'JSON-RPC requests received over HTTP, by protocol era and version',
    labelNames: ['era', 'protocol_version'],
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

  readonly toolCalls: ToolCallObserver = {
    started: () => {},
    finished: (tool, outcome, seconds) => {
      this.toolCallCount.inc({ tool, outcome });
      this.toolCallSeconds.observe({ tool, outcome }, seconds);
    },
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
    this.handshakes.inc({ era: handshake.era, protocol_version: handshake.requestedVersion, outcome });
  };

  /**
   * Counts the JSON-RPC requests in one HTTP body. 2026-07-28 requests name their version in
   * `_meta`; 2025-era clients in `initialize` and then in the `MCP-Protocol-Version` header.
   */
  countRequests(body: unknown, protocolHeader: string | string[] | undefined): void {
    const header = typeof protocolHeader === 'string' ? protocolHeader : undefined;
    for (const message of Array.isArray(body) ? body : [body]) {
      if (typeof message !== 'object' || message === null || !('method' in message) || !('id' in message)) continue;
      const { method, params = {} } = message as { method: unknown; params?: { _meta?: Record<string, unknown>; protocolVersion?: unknown } };
      const modern = params._meta?.[PROTOCOL_VERSION_META_KEY];
      if (typeof modern === 'string') {
        this.requests.inc({ era: 'modern', protocol_version: modern });
        continue;
      }
      const legacy = method === 'initialize' ? params.protocolVersion : header;
      this.requests.inc({ era: 'legacy', protocol_version: typeof legacy === 'string' ? legacy : 'unknown' });
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

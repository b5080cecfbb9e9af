import type { Logger } from './logger.js';

export class ShuttingDownError extends Error {
  override name = 'ShuttingDownError';
  constructor() {
    super('the server is shutting down; retry on another instance');
  }
}

export interface InFlightCall {
  /** Aborted when the caller's signal aborts or when a shutdown gives up waiting. */
  signal: AbortSignal;
  /** The call is over; observers hear how it went and how long it took. */
  end(outcome?: 'ok' | 'error'): void;
}

/** Hooks around every call, for metrics (the HTTP transport counts calls and their latency). */
export interface ToolCallObserver {
  started(tool: string): void;
  finished(tool: string, outcome: 'ok' | 'error', seconds: number): void;
}

/**
 * The tool calls running right now, so a shutdown loses none: it waits for them, up to a
 * deadline, then aborts the rest through their signals; once draining starts, new calls are
 * refused.
 */
/** How long aborted calls get to send their replies at the shutdown deadline. */
const ABORT_GRACE_MS = 1_000;

export class InFlightCalls {
  private readonly calls = new Map<AbortController, string>();
  private draining = false;
  private idle: (() => void) | undefined;
  private readonly observers: ToolCallObserver[] = [];

  get count(): number {
    return this.calls.size;
  }

  /** Metrics subscribe here: every call of every server instance begins and ends in this one place. */
  observe(observer: ToolCallObserver): void {
    this.observers.push(observer);
  }

  begin(tool: string, parent: AbortSignal): InFlightCall {
    if (this.draining) throw new ShuttingDownError();
    const controller = new AbortController();
    const forward = () => controller.abort(parent.reason);
    if (parent.aborted) forward();
    else parent.addEventListener('abort', forward, { once: true });
    this.calls.set(controller, tool);
    const started = performance.now();
    for (const observer of this.observers) observer.started(tool);
    let ended = false;
    return {
      signal: controller.signal,
      end: (outcome = 'ok') => {
        if (ended) return;
        ended = true;
        parent.removeEventListener('abort', forward);
        this.calls.delete(controller);
        const seconds = (performance.now() - started) / 1000;
        for (const observer of this.observers) observer.finished(tool, outcome, seconds);
        if (this.calls.size === 0) this.idle?.();
      },
    };
  }

  /** Refuses new calls, waits for running ones up to `timeoutMs`, then aborts and names the stragglers. */
  async drain(timeoutMs: number, logger: Logger): Promise<void> {
    this.draining = true;
    if (this.calls.size === 0) return;
    logger.info({ inFlight: this.calls.size, timeoutMs }, 'waiting for in-flight tool calls');
    if (await this.whenIdle(timeoutMs)) return;
    for (const [controller, tool] of this.calls) {
      logger.warn({ tool }, 'aborting a tool call still running at the shutdown deadline');
      controller.abort(new Error('shutdown deadline reached'));
    }
    // A moment for the aborted calls to answer their clients ("… was cancelled") before transports close.
    if (this.calls.size > 0) await this.whenIdle(ABORT_GRACE_MS);
    // A call ends just before the SDK sends its reply: let that reply go out first.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** True once no call is running, false if some still are after `timeoutMs`. */
  private async whenIdle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      new Promise<true>((resolve) => {
        this.idle = () => resolve(true);
      }),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.idle = undefined;
    return idle;
  }
}

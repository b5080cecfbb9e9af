import type { ServerResponse } from 'node:http';
import type { RequestId } from '@modelcontextprotocol/server';

export type StreamKind = 'streamable-http' | 'legacy-sse';

/** Why a stream ended: `complete` when the server finished it normally, the rest are cleanups. */
export type StreamCloseReason = 'complete' | 'client' | 'error' | 'idle' | 'lifetime' | 'shutdown';

export interface StreamLimits {
  maxConnections: number;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  heartbeatMs: number;
}

export interface StreamObserver {
  opened(kind: StreamKind): void;
  closed(kind: StreamKind, reason: StreamCloseReason, seconds: number): void;
}

type CloseListener = (reason: StreamCloseReason) => void;

/**
 * One long-lived SSE response. It closes itself on client disconnect, socket error, idle
 * timeout and maximum lifetime; sends keep-alive comments so proxies and dead peers are
 * noticed; and releases every timer, listener and map entry when it closes, so a client that
 * vanishes cannot leak it.
 */
export class TrackedStream {
  readonly openedAt = Date.now();
  private readonly listeners: CloseListener[] = [];
  /** Requests whose responses must still go out on this stream: a shutdown waits for them. */
  private readonly awaiting = new Set<RequestId>();
  private idleWaiters: (() => void)[] = [];
  private readonly lifetimeTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout;
  private closeReason: StreamCloseReason | undefined;

  constructor(
    readonly kind: StreamKind,
    /** Open until the client or the server ends it (a listen stream, a legacy session), not one call's reply. */
    readonly longLived: boolean,
    private readonly res: ServerResponse,
    private readonly limits: StreamLimits,
    private readonly release: (stream: TrackedStream, reason: StreamCloseReason) => void,
  ) {
    this.idleTimer = setTimeout(() => this.close('idle'), limits.idleTimeoutMs);
    this.lifetimeTimer = setTimeout(() => this.close('lifetime'), limits.maxLifetimeMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), limits.heartbeatMs);
    for (const timer of [this.idleTimer, this.lifetimeTimer, this.heartbeatTimer]) timer.unref();
    res.once('close', this.onResponseClose);
    res.once('error', this.onResponseError);
    res.socket?.once('error', this.onResponseError);
  }

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Real traffic in either direction: the stream is not idle. */
  touch(): void {
    if (this.isClosed) return;
    this.idleTimer.refresh();
  }

  /** Writes server data to the stream (counts as traffic); false means wait for `drain`. */
  write(chunk: string | Uint8Array): boolean {
    if (this.isClosed || this.res.writableEnded) return false;
    this.touch();
    return this.res.write(chunk);
  }

  /** The stream carries the responses to these requests (see `busy`). */
  expectResponses(ids: Iterable<RequestId>): void {
    for (const id of ids) this.awaiting.add(id);
  }

  responded(id: RequestId): void {
    this.awaiting.delete(id);
    if (this.awaiting.size === 0) this.wakeIdleWaiters();
  }

  get busy(): boolean {
    return !this.isClosed && this.awaiting.size > 0;
  }

  /** Resolves once no response is owed on this stream (or it closed). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  onClose(listener: CloseListener): void {
    if (this.closeReason !== undefined) listener(this.closeReason);
    else this.listeners.push(listener);
  }

  /**
   * Ends the stream once. When the server ends it (timeouts, shutdown) the client gets a final
   * `close` event saying why, which MCP clients ignore but people debugging can read.
   */
  close(reason: StreamCloseReason): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
    clearInterval(this.heartbeatTimer);
    this.res.off('close', this.onResponseClose);
    this.res.off('error', this.onResponseError);
    this.res.socket?.off('error', this.onResponseError);

    if (reason === 'client' || reason === 'error') {
      this.res.destroy();
    } else if (!this.res.writableEnded) {
      if (reason !== 'complete') this.res.write(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`);
      this.res.end();
    }
    this.release(this, reason);
    this.wakeIdleWaiters();
    for (const listener of this.listeners.splice(0)) listener(reason);
  }

  private wakeIdleWaiters(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private heartbeat(): void {
    // An SSE comment: ignored by clients, but it keeps proxies from timing out an idle
    // connection and makes a write to a dead peer fail, so the stream is cleaned up.
    if (!this.res.writableEnded) this.res.write(': keep-alive\n\n');
  }

  private readonly onResponseClose = (): void => {
    this.close(this.res.writableFinished ? 'complete' : 'client');
  };

  private readonly onResponseError = (): void => {
    this.close('error');
  };
}

/** Every open stream in the process, with the connection limit and shutdown in one place. */
export class StreamRegistry {
  private readonly streams = new Set<TrackedStream>();

  constructor(
    private readonly limits: StreamLimits,
    private readonly observer?: StreamObserver,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /**
   * Checked before serving a request that opens a long-lived stream; over `MAX_CONNECTIONS` it
   * gets 503. Only long-lived streams count: the reply stream of one tool call ends with the call,
   * and a plain call must never be refused because idle listeners fill the server.
   */
  get isFull(): boolean {
    return this.longLivedCount >= this.limits.maxConnections;
  }

  private longLivedCount = 0;

  open(kind: StreamKind, res: ServerResponse, { longLived }: { longLived: boolean }): TrackedStream {
    if (longLived) this.longLivedCount++;
    const stream = new TrackedStream(kind, longLived, res, this.limits, (closed, reason) => {
      this.streams.delete(closed);
      if (closed.longLived) this.longLivedCount--;
      this.observer?.closed(closed.kind, reason, (Date.now() - closed.openedAt) / 1000);
    });
    this.streams.add(stream);
    this.observer?.opened(kind);
    // The client may already be gone: its 'close' event fired before we listened.
    if (res.destroyed) stream.close('client');
    return stream;
  }

  closeAll(reason: StreamCloseReason): void {
    for (const stream of [...this.streams]) stream.close(reason);
  }

  /**
   * Shutdown: streams still owed a response (a call that just finished) get up to `graceMs` to
   * deliver it; then every stream is closed with a final `shutdown` event.
   */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const busy = [...this.streams].filter((stream) => stream.busy);
    await Promise.race([
      Promise.all(busy.map((stream) => stream.whenIdle())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.closeAll('shutdown');
  }
}

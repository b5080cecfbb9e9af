/**
 * Keyed async mutex: tasks sharing a key run one at a time in FIFO order, tasks
 * on different keys run concurrently. Use it around read-modify-write sequences
 * that contain an `await`, which concurrent tool calls would otherwise interleave.
 */
export class KeyedLock {
  // A key is present exactly while some task holds it; the array holds the
  // waiters' wake-up functions in arrival order.
  readonly #waiters = new Map<string, Array<() => void>>();

  /** Number of keys currently held or waited on; returns to 0 when idle. */
  get size(): number {
    return this.#waiters.size;
  }

  /**
   * Runs `task` once it holds the lock for `key` and releases the lock when the
   * task settles, whether it succeeds or fails. Aborting `signal` while waiting
   * rejects with the signal's reason and the task never runs; a running task
   * is not interrupted (it can watch the signal itself).
   */
  async run<T>(key: string, task: () => Promise<T> | T, options: { signal?: AbortSignal } = {}): Promise<T> {
    await this.#acquire(key, options.signal);
    try {
      return await task();
    } finally {
      this.#release(key);
    }
  }

  #acquire(key: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);

    const queue = this.#waiters.get(key);
    if (queue === undefined) {
      this.#waiters.set(key, []);
      return Promise.resolve();
    }

    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = queue.indexOf(wake);
        if (index !== -1) queue.splice(index, 1);
        reject(signal?.reason);
      };
      // Ownership passes directly to the woken waiter, so no later caller can barge in.
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(key: string): void {
    const queue = this.#waiters.get(key);
    const next = queue?.shift();
    if (next) next();
    else this.#waiters.delete(key);
  }
}

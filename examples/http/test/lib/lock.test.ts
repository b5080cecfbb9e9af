import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it, expect } from 'vitest';
import { KeyedLock } from '../../src/lib/lock.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('KeyedLock', () => {
  it('runs tasks on one key one at a time, in FIFO order', async () => {
    const lock = new KeyedLock();
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        lock.run('k', async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          order.push(i);
          await nextTurn(); // give any other task a chance to start if the lock were broken
          running--;
          return i * 2;
        }),
      ),
    );

    expect(maxRunning).toBe(1);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(lock.size).toBe(0);
  });

  it('runs tasks on different keys concurrently', { timeout: 5_000 }, async () => {
    const lock = new KeyedLock();
    const unblockA = deferred();
    // A can only finish once B has run; serialising the two keys would deadlock.
    const a = lock.run('a', async () => {
      await unblockA.promise;
      return 'a';
    });
    const b = lock.run('b', () => {
      unblockA.resolve();
      return 'b';
    });
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
  });

  it('releases the lock when a task rejects or throws, and only its caller sees the error', async () => {
    const lock = new KeyedLock();
    const ran: string[] = [];

    const failing = lock.run('k', async () => {
      ran.push('reject');
      throw new Error('boom');
    });
    const throwing = lock.run('k', () => {
      ran.push('throw');
      throw new TypeError('sync boom');
    });
    const next = lock.run('k', () => {
      ran.push('next');
      return 'ok';
    });

    await expect(failing).rejects.toThrow('boom');
    await expect(throwing).rejects.toThrow(TypeError);
    await expect(next).resolves.toBe('ok');
    expect(ran).toEqual(['reject', 'throw', 'next']);
    expect(lock.size).toBe(0);
  });

  it('keeps no entry for idle keys', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const all = Array.from({ length: 1_000 }, (_, i) => lock.run(`key-${i}`, () => gate.promise));
    expect(lock.size).toBe(1_000);
    gate.resolve();
    await Promise.all(all);
    expect(lock.size).toBe(0);
  });

  it('counts a key once however many tasks wait on it', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const all = [lock.run('k', () => gate.promise), lock.run('k', () => undefined), lock.run('k', () => undefined)];
    expect(lock.size).toBe(1);
    gate.resolve();
    await Promise.all(all);
    expect(lock.size).toBe(0);
  });

  it('drops a waiting task whose signal aborts, without running it', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const ran: string[] = [];
    const controller = new AbortController();
    const reason = new Error('caller gave up');

    const holder = lock.run('k', async () => {
      await gate.promise;
      ran.push('holder');
    });
    const first = lock.run('k', () => ran.push('first'));
    const aborted = lock.run('k', () => ran.push('aborted'), { signal: controller.signal });
    const last = lock.run('k', () => ran.push('last'));

    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(ran).toEqual([]); // the holder still has the lock

    gate.resolve();
    await Promise.all([holder, first, last]);
    expect(ran).toEqual(['holder', 'first', 'last']);
    expect(lock.size).toBe(0);
  });

  it('rejects at once for an already-aborted signal, even when the key is free', async () => {
    const lock = new KeyedLock();
    let ran = false;
    const signal = AbortSignal.abort(new Error('too late'));
    await expect(lock.run('k', () => {
          ran = true;
        }, { signal })).rejects.toThrow('too late');
    expect(ran).toBe(false);
    expect(lock.size).toBe(0);
  });

  it('does not interrupt a task that is already running', async () => {
    const lock = new KeyedLock();
    const controller = new AbortController();
    const started = deferred();
    const gate = deferred();

    const result = lock.run(
      'k',
      async () => {
        started.resolve();
        await gate.promise;
        return 'finished';
      },
      { signal: controller.signal },
    );
    await started.promise;
    controller.abort();
    gate.resolve();
    await expect(result).resolves.toBe('finished');
  });

  describe('read-modify-write with an await in the middle', () => {
    let value = 0;
    async function increment(): Promise<void> {
      const current = value;
      await nextTurn(); // e.g. a file or network read
      value = current + 1;
    }

    it('loses updates without the lock', async () => {
      value = 0;
      await Promise.all(Array.from({ length: 50 }, () => increment()));
      expect(value).toBeLessThan(50);
    });

    it('loses none with the lock', async () => {
      value = 0;
      const lock = new KeyedLock();
      await Promise.all(Array.from({ length: 50 }, () => lock.run('counter', increment)));
      expect(value).toBe(50);
    });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProgress } from '../src/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; chunks: string[] } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    write: (chunk: string) => {
      chunks.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

describe('startProgress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('without a terminal: one plain line when starting and one per outcome', () => {
    const { stream, chunks } = fakeStream(false);
    const progress = startProgress('Installing dependencies', stream);
    progress.done('Installed');
    progress.fail('Failed');
    expect(chunks).toEqual(['Installing dependencies…\n', '✔ Installed\n', '✖ Failed\n']);
  });

  it('on a terminal: animates, then clears the line and stops animating when done', () => {
    vi.useFakeTimers();
    const { stream, chunks } = fakeStream(true);
    const progress = startProgress('Working', stream);
    vi.advanceTimersByTime(80 * 3);
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) expect(chunk).toMatch(/^\r. Working$/);
    progress.done('Done');
    expect(chunks.at(-1)).toBe('\r\x1b[2K✔ Done\n');
    const count = chunks.length;
    vi.advanceTimersByTime(80 * 10);
    expect(chunks.length).toBe(count);
  });

  it('on a terminal: fail stops animating too', () => {
    vi.useFakeTimers();
    const { stream, chunks } = fakeStream(true);
    startProgress('Working', stream).fail('Broke');
    expect(chunks).toEqual(['\r\x1b[2K✖ Broke\n']);
    vi.advanceTimersByTime(800);
    expect(chunks).toHaveLength(1);
  });
});

import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installStdoutGuard } from '../../src/lib/stdout-guard.js';
import { captureLogs } from '../helpers/log-capture.js';

/** Stands in for process.stdout: a real stream that records what reaches the "real" output. */
function fakeStdout() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('utf8'));
      callback();
    },
  }) as Writable & { write: NodeJS.WriteStream['write'] };
  return { stream, written };
}

describe('installStdoutGuard', () => {
  it('diverts console.log and direct writes to the logger, keeping stdout clean', () => {
    const { stream, written } = fakeStdout();
    const { logger, entries } = captureLogs();
    installStdoutGuard(logger, stream);

    new Console({ stdout: stream }).log('debug output from a dependency');
    stream.write('raw write\n');
    stream.write(Buffer.from('bytes\n'));

    expect(written).toEqual([]);
    expect(entries.map((entry) => entry.stdout)).toEqual(['debug output from a dependency\n', 'raw write\n', 'bytes\n']);
    expect(entries.every((entry) => entry.level === 'warn')).toBe(true);
  });

  it('lets the protocol stream write to the real stdout untouched', async () => {
    const { stream, written } = fakeStdout();
    const { logger, entries } = captureLogs();
    const { protocolOut } = installStdoutGuard(logger, stream);
    const message = '{"jsonrpc":"2.0","id":1,"result":{}}\n';

    await new Promise<void>((resolve, reject) => protocolOut.write(message, (error) => (error ? reject(error) : resolve())));

    expect(written).toEqual([message]);
    expect(entries).toEqual([]);
  });

  it('calls write callbacks so callers waiting on them do not hang', async () => {
    const { stream } = fakeStdout();
    installStdoutGuard(captureLogs().logger, stream);
    await new Promise<void>((resolve) => stream.write('x', () => resolve()));
  });

  it('shortens long diverted output in the log', () => {
    const { stream } = fakeStdout();
    const { logger, entries } = captureLogs();
    installStdoutGuard(logger, stream);
    stream.write('y'.repeat(5_000));
    expect(entries[0]?.chars).toBe(5_000);
    expect(String(entries[0]?.stdout).length).toBeLessThan(300);
  });

  it('restore() puts the original write back', () => {
    const { stream, written } = fakeStdout();
    const guard = installStdoutGuard(captureLogs().logger, stream);
    guard.restore();
    stream.write('after restore');
    expect(written).toEqual(['after restore']);
  });
});

import { Writable } from 'node:stream';
import type { Logger } from './logger.js';

type WriteCallback = (error?: Error | null) => void;

interface StdoutLike {
  write: NodeJS.WriteStream['write'];
}

export interface StdoutGuard {
  /** The only way left to reach the real stdout: hand it to the stdio transport. */
  protocolOut: Writable;
  /** Puts the original `write` back (tests, or a transport that is not stdio after all). */
  restore(): void;
}

const PREVIEW_CHARS = 200;

/**
 * In stdio mode stdout carries JSON-RPC and nothing else: one stray line breaks the client.
 * After this runs, anything that writes to `process.stdout` (a stray `console.log`, a chatty
 * dependency) is diverted to the logger on stderr with a warning, while the transport writes
 * through `protocolOut` untouched.
 * Child processes that inherit fd 1 are beyond its reach: spawn them with `stdio: 'pipe'`.
 */
export function installStdoutGuard(logger: Logger, stdout: StdoutLike = process.stdout): StdoutGuard {
  const originalWrite = stdout.write;
  const writeToRealStdout = originalWrite.bind(stdout);

  const protocolOut = new Writable({
    write(chunk: Buffer, _encoding, callback: WriteCallback) {
      writeToRealStdout(chunk, callback);
    },
  });

  stdout.write = function divertedWrite(chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    logger.warn(
      { stdout: text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text, chars: text.length },
      'diverted a write to stdout (stdout carries the MCP protocol); log with the logger instead',
    );
    const callback = rest.find((arg): arg is WriteCallback => typeof arg === 'function');
    if (callback) process.nextTick(callback);
    return true;
  } as NodeJS.WriteStream['write'];

  return {
    protocolOut,
    restore: () => {
      stdout.write = originalWrite;
    },
  };
}

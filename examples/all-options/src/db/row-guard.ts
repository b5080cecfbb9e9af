import type { EventEmitter } from 'node:events';

/** PostgreSQL's DataRow message type ('D'): one row of a result. */
const DATA_ROW = 0x44;
const HEADER_BYTES = 5;

/**
 * Watches a PostgreSQL connection's incoming bytes and stops a DataRow larger than `maxRowBytes`
 * before the protocol parser buffers it and turns it into strings (a value over 512 MiB would
 * otherwise throw ERR_STRING_TOO_LONG inside the parser and crash the process). It reads only
 * message headers (a type byte and a length) and skips over message bodies.
 */
export class RowSizeGuard {
  private header = Buffer.alloc(0);
  /** Bytes of the current message body still to skip. */
  private skip = 0;

  constructor(private readonly maxRowBytes: number) {}

  /** Returns the size of an oversized row if this chunk starts one, else undefined. */
  inspect(chunk: Buffer): number | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, chunk.length - offset);
        this.skip -= skipped;
        offset += skipped;
        continue;
      }
      const needed = HEADER_BYTES - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + needed)]);
      offset += Math.min(needed, chunk.length - offset);
      if (this.header.length < HEADER_BYTES) break;
      const type = this.header[0];
      const length = this.header.readUInt32BE(1) - 4;
      this.header = Buffer.alloc(0);
      if (type === DATA_ROW && length > this.maxRowBytes) return length;
      this.skip = length;
    }
    return undefined;
  }
}

/**
 * What node-postgres's protocol parser sees of a socket: its events, with `data` passed through
 * the guard first. When a row is too large, nothing more is passed on and `onTooLarge` runs
 * (it destroys the socket, which fails the query and retires the connection).
 */
export function guardedStream(stream: EventEmitter, guard: RowSizeGuard, onTooLarge: (bytes: number) => void): EventEmitter {
  let tripped = false;
  return new Proxy(stream, {
    get(target, property, receiver) {
      if (property !== 'on') return Reflect.get(target, property, receiver) as unknown;
      return (event: string | symbol, listener: (...args: unknown[]) => void) => {
        if (event !== 'data') return target.on(event, listener);
        return target.on('data', (chunk: Buffer) => {
          if (tripped) return;
          const tooLarge = guard.inspect(chunk);
          if (tooLarge === undefined) return listener(chunk);
          tripped = true;
          onTooLarge(tooLarge);
        });
      };
    },
  });
}

import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/**
 * Pulls the JSON-RPC messages out of an SSE byte stream as it passes by, so the handshake log
 * sees responses the SDK streams. Events end at a blank line; their `data:` lines hold JSON.
 */
export class SseMessageReader {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(private readonly onMessage: (message: JSONRPCMessage) => void) {}

  push(chunk: Uint8Array): void {
    this.buffer += this.decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const event = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n');
      if (data === '') continue;
      try {
        this.onMessage(JSON.parse(data) as JSONRPCMessage);
      } catch {
        // Not JSON-RPC (an endpoint or keep-alive event): nothing to observe.
      }
    }
  }
}

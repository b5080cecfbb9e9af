import { describe, expect, it } from 'vitest';
import { dataOf, useInMemoryServer } from '../helpers/client.js';

const server = useInMemoryServer();

async function untilInFlight(count: number): Promise<void> {
  while (server.services.calls.count !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('watch_note', () => {
  it('returns the line appended while it waits', async () => {
    const watching = server.client.callTool({ name: 'watch_note', arguments: { note: 'inbox', seconds: 30 } });
    await untilInFlight(1);
    await server.services.notes.append('other', 'not this one');
    await server.services.notes.append('inbox', 'hello');
    expect(dataOf(await watching)).toEqual({ note: 'inbox', entry: { text: 'hello', addedAt: expect.any(String) } });
    expect(server.services.calls.count).toBe(0);
  });

  it('answers with a null entry when nothing arrives in time', async () => {
    expect(dataOf(await server.client.callTool({ name: 'watch_note', arguments: { note: 'quiet', seconds: 1 } }))).toEqual({
      note: 'quiet',
      entry: null,
    });
  });

  it('stops waiting when the client cancels, and releases the call', async () => {
    const controller = new AbortController();
    const watching = server.client.callTool({ name: 'watch_note', arguments: { note: 'inbox', seconds: 60 } }, { signal: controller.signal });
    await untilInFlight(1);
    controller.abort();
    await expect(watching).rejects.toThrow();
    await untilInFlight(0);
  });
});

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logLines, serverLaunch, type ServerLaunch } from '../helpers/server-process.js';

// The SDKs' stdio client transports spawn the server themselves, the way a host application does.
let launch: ServerLaunch;
let stderr: string;

beforeEach(() => {
  launch = serverLaunch({ transport: 'stdio' });
  stderr = '';
});
afterEach(() => launch.removeDataDir());

function serverParams() {
  const sink = new PassThrough();
  sink.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const { command, args, cwd, env } = launch;
  return { command, args, cwd, env, stderr: 'pipe' as const, sink };
}

interface AnyClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  readResource(params: { uri: string }): Promise<{ contents: unknown[] }>;
  close(): Promise<void>;
}

interface DataResult {
  content: { text: string }[];
  structuredContent?: unknown;
}

/** The same conversation for every client: list, write, search, read back. */
async function converse(client: AnyClient): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['append_note', 'search_notes']));

  // Both SDKs' clients check structuredContent against the tool's outputSchema from tools/list.
  const appended = (await client.callTool({ name: 'append_note', arguments: { note: 'e2e', text: 'hello over stdio' } })) as DataResult;
  expect(appended.structuredContent).toEqual({ uri: 'notes://note/e2e', line: 1 });
  expect(JSON.parse(appended.content[0]?.text ?? '')).toEqual(appended.structuredContent);

  const found = (await client.callTool({ name: 'search_notes', arguments: { query: 'HELLO' } })) as DataResult;
  expect(found.structuredContent).toMatchObject({ matches: [{ note: 'e2e', line: 1, text: 'hello over stdio' }] });
  expect(JSON.parse(found.content[0]?.text ?? '')).toEqual(found.structuredContent);

  const { contents } = await client.readResource({ uri: 'notes://note/e2e' });
  expect(contents[0]).toMatchObject({ mimeType: 'text/markdown', text: '# e2e\n\n- hello over stdio\n' });
}

async function connectV2(mode: 'legacy' | 'auto') {
  const { sink, ...params } = serverParams();
  const transport = new StdioClientTransport(params);
  const client = new Client({ name: `e2e-${mode}`, version: '2.0.0' }, { versionNegotiation: { mode } });
  await client.connect(transport);
  transport.stderr?.pipe(sink);
  return client;
}

function handshakes() {
  return logLines(stderr).filter((line) => line.msg === 'client handshake');
}

describe('stdio with real MCP clients', () => {
  it('serves a 2025-era client (v2 SDK, initialize handshake) and logs its handshake', async () => {
    const client = await connectV2('legacy');
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    await converse(client);
    await client.close();
    expect(handshakes()).toEqual([
      expect.objectContaining({
        handshake: {
          era: 'legacy',
          clientName: 'e2e-legacy',
          clientVersion: '2.0.0',
          requestedProtocolVersion: '2025-11-25',
          servedProtocolVersion: '2025-11-25',
        },
      }),
    ]);
  });

  it('serves a 2026-07-28 client (v2 SDK, per-request envelope) and logs it once', async () => {
    const client = await connectV2('auto');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    await converse(client);
    await client.close();
    expect(handshakes()).toEqual([
      expect.objectContaining({
        handshake: expect.objectContaining({ era: 'modern', clientName: 'e2e-auto', requestedProtocolVersion: '2026-07-28' }),
      }),
    ]);
  });

  it('serves the v1 SDK client (@modelcontextprotocol/sdk)', async () => {
    const { sink, ...params } = serverParams();
    const transport = new V1StdioClientTransport(params);
    const client = new V1Client({ name: 'e2e-v1', version: '1.0.0' });
    await client.connect(transport);
    transport.stderr?.pipe(sink);
    await converse(client as unknown as AnyClient);
    await client.close();
    expect(handshakes()[0]).toMatchObject({ handshake: { era: 'legacy', clientName: 'e2e-v1' } });
  });
});

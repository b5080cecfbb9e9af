import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGeneratedRepo, extraNode, extraNodes, generate, startHttpServer, testOnNode, type RunningHttpServer } from './generated-repo.js';
import { runIn, workPath } from './helpers.js';

const toolNames = ['append_note', 'search_notes', 'watch_note'];

/** These tools start helpers with `node` from PATH: make it the Node 22 they need. */
function onPath(nodeBin: string): Record<string, string> {
  return { PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}` };
}

/** Both protocol eras of the v2 client, and the v1 client, over Streamable HTTP. */
async function driveStreamableHttp(url: string): Promise<void> {
  for (const mode of ['legacy', 'auto'] as const) {
    const client = new Client({ name: `generator-e2e-${mode}`, version: '1.0.0' }, { versionNegotiation: { mode } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    expect(client.getNegotiatedProtocolVersion()).toBe(mode === 'legacy' ? '2025-11-25' : '2026-07-28');
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(toolNames);
    const result = await client.callTool({ name: 'append_note', arguments: { note: `http ${mode}`, text: 'over HTTP' } });
    // The client checks structuredContent against the tool's outputSchema from tools/list.
    expect(result.structuredContent).toEqual({ uri: `notes://note/http%20${mode}`, line: 1 });
    await client.close();
  }
  const v1 = new V1Client({ name: 'generator-e2e-v1', version: '1.0.0' });
  await v1.connect(new V1StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  const found = await v1.callTool({ name: 'search_notes', arguments: { query: 'over http' } });
  expect(JSON.stringify(found.content)).toContain('notes://note/http%20legacy');
  await v1.close();
}

describe('generated server with --transport http', () => {
  const repo = workPath('http-server');
  let server: RunningHttpServer;

  beforeAll(async () => {
    await generate(repo, ['--transport', 'http', '--db', 'none']);
  });
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
  });

  it('builds, lints, passes its own tests and its tool audit', async () => {
    await checkGeneratedRepo(repo);
  });

  it('serves both protocol eras and the v1 client, with health and metrics', async () => {
    server = await startHttpServer(repo);
    await driveStreamableHttp(server.url);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/mcp_handshakes_total\{era="modern",protocol_version="2026-07-28",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/mcp_tool_calls_total\{tool="append_note",outcome="ok"\} 2/);
    expect((await fetch(`${server.url}/sse`)).status).toBe(404);
  });

  it('passes the official conformance suite, except the scenarios that need the reference server’s fixtures', async (context) => {
    const node22 = extraNode(22);
    const conformance = process.env.CONFORMANCE_BIN;
    if (!node22 || !conformance) return context.skip('needs Node 22 and the conformance CLI: run bash .ci/run');
    const baseline = fileURLToPath(new URL('conformance-baseline.yml', import.meta.url));
    const result = await execa(node22, [conformance, 'server', '--url', `${server.url}/mcp`, '--expected-failures', baseline], {
      reject: false,
      all: true,
      env: onPath(node22),
    });
    expect(result.all).toContain('Baseline check passed');
    expect(result.exitCode, result.all).toBe(0);
  });

  it('answers the inspector CLI', async (context) => {
    const node22 = extraNode(22);
    const inspector = process.env.INSPECTOR_BIN;
    if (!node22 || !inspector) return context.skip('needs Node 22 and the inspector CLI: run bash .ci/run');
    const result = await execa(node22, [inspector, '--cli', `${server.url}/mcp`, '--transport', 'http', '--method', 'tools/list'], {
      env: onPath(node22),
    });
    expect((JSON.parse(result.stdout) as { tools: { name: string }[] }).tools.map((tool) => tool.name).sort()).toEqual(toolNames);
  });
});

describe('generated server with --transport stdio,http,sse', () => {
  const repo = workPath('all-transports');

  beforeAll(async () => {
    await generate(repo, ['--transport', 'stdio,http,sse', '--db', 'none']);
  });

  it('builds, lints, passes its own tests and its tool audit', async () => {
    await checkGeneratedRepo(repo);
  });

  it.each(extraNodes)('passes its own tests on %s', async (nodeBin) => {
    await testOnNode(repo, nodeBin);
  });

  it('installs without install-script warnings, with one copy of the SDK core in production', async () => {
    const install = await runIn(repo, 'npm', ['install']);
    expect(install.all).not.toMatch(/install-scripts|allow-scripts|approve-scripts/);
    const tree = JSON.parse((await runIn(repo, 'npm', ['ls', '@modelcontextprotocol/core', '--omit=dev', '--all', '--json'])).stdout) as Json;
    expect(new Set(versionsOf(tree, '@modelcontextprotocol/core'))).toEqual(new Set(['2.4.0']));
  });

  it('serves Streamable HTTP and the legacy HTTP+SSE endpoints to v1 and v2 SSE clients', async () => {
    const server = await startHttpServer(repo);
    try {
      await driveStreamableHttp(server.url);
      const v1 = new V1Client({ name: 'legacy-sse-v1', version: '1.0.0' });
      await v1.connect(new V1SSEClientTransport(new URL(`${server.url}/sse`)));
      expect((await v1.listTools()).tools.map((tool) => tool.name).sort()).toEqual(toolNames);
      await v1.callTool({ name: 'append_note', arguments: { note: 'sse', text: 'legacy' } });
      await v1.close();
      const v2 = new Client({ name: 'legacy-sse-v2', version: '1.0.0' });
      await v2.connect(new SSEClientTransport(new URL(`${server.url}/sse`)));
      const found = await v2.callTool({ name: 'search_notes', arguments: { query: 'legacy' } });
      expect(JSON.stringify(found.content)).toContain('notes://note/sse');
      await v2.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

type Json = { version?: string; dependencies?: Record<string, Json> };

/** Every version of `name` in an `npm ls --json` tree. */
function versionsOf(tree: Json, name: string): string[] {
  return Object.entries(tree.dependencies ?? {}).flatMap(([dependency, node]) => [
    ...(dependency === name && node.version ? [node.version] : []),
    ...versionsOf(node, name),
  ]);
}

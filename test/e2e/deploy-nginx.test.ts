import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployRepo, freePort, metric } from './deploy-repo.js';
import { startHttpServer, type RunningHttpServer } from './generated-repo.js';

// The generated deploy/nginx config in a real nginx (Debian's package; .ci/run installs it), in
// front of a generated server on loopback. The main config around it is one many machines have:
// gzip on for event streams and proxy_buffering on, which together hold events back until their
// stream ends. The generated server block must override them.

/** nginx from NGINX_BIN, PATH, or Debian's /usr/sbin (not on a non-root PATH). */
function findNginx(): string | undefined {
  const candidates = [process.env.NGINX_BIN, ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'nginx')), '/usr/sbin/nginx'];
  return candidates.find((candidate) => {
    if (!candidate) return false;
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const nginxBin = findNginx();
const SKIP = 'needs nginx (Debian package `nginx`; bash .ci/run installs it, or set NGINX_BIN)';
const streamClosed = (reason: string) => `mcp_stream_closes_total{kind="legacy-sse",reason="${reason}"}`;

interface RunningNginx {
  url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

const cleanups: (() => Promise<unknown>)[] = [];
let repo: string;
let conf: string;
/** Default settings: streams live an hour. */
let server: RunningHttpServer;
/** Streams live 3 s, with no heartbeat and no idle timeout before that: only the lifetime ends them. */
let shortLived: RunningHttpServer;

beforeAll(async () => {
  if (!nginxBin) return;
  repo = await deployRepo();
  conf = readFileSync(path.join(repo, 'deploy', 'nginx', 'mcp.conf'), 'utf8');
  server = await startHttpServer(repo);
  cleanups.push(() => server.stop());
  shortLived = await startHttpServer(repo, { SSE_MAX_LIFETIME_MS: '3000', SSE_HEARTBEAT_MS: '3600000', SSE_IDLE_TIMEOUT_MS: '3600000' });
  cleanups.push(() => shortLived.stop());
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Replaces exactly one occurrence, so a changed template fails here instead of being tested half-edited. */
function replaceOnce(text: string, search: string, replacement: string): string {
  const count = text.split(search).length - 1;
  if (count !== 1) throw new Error(`expected "${search}" once in deploy/nginx/mcp.conf, found it ${count} times`);
  return text.replace(search, replacement);
}

/** The generated config, listening on a loopback port of its own, its upstream pointed at `upstream`. */
async function startNginx(upstream: RunningHttpServer, edit: (text: string) => string = (text) => text): Promise<RunningNginx> {
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'deploy-nginx-'));
  cleanups.push(() => rm(prefix, { recursive: true, force: true }));
  // nginx's workers run as nobody when the master is root: they must reach the prefix.
  await chmod(prefix, 0o755);
  await mkdir(path.join(prefix, 'temp'));
  const port = await freePort();
  let site = replaceOnce(conf, 'listen 80;', `listen 127.0.0.1:${port};`);
  site = replaceOnce(site, 'server 127.0.0.1:3000;', `server 127.0.0.1:${new URL(upstream.url).port};`);
  await writeFile(path.join(prefix, 'mcp.conf'), edit(site));
  const main = path.join(prefix, 'nginx.conf');
  await writeFile(
    main,
    `worker_processes 1;
error_log ${prefix}/error.log info;
pid ${prefix}/nginx.pid;
events { worker_connections 128; }
http {
    access_log ${prefix}/access.log;
    client_body_temp_path ${prefix}/temp/body;
    proxy_temp_path ${prefix}/temp/proxy;
    fastcgi_temp_path ${prefix}/temp/fastcgi;
    uwsgi_temp_path ${prefix}/temp/uwsgi;
    scgi_temp_path ${prefix}/temp/scgi;
    # A main config as many machines have it: both would hold events back.
    gzip on;
    gzip_types text/event-stream application/json;
    gzip_min_length 1;
    proxy_buffering on;
    include ${prefix}/mcp.conf;
}
`,
  );
  const check = await execa(nginxBin!, ['-t', '-p', prefix, '-c', main], { reject: false, all: true });
  expect(check.exitCode, check.all).toBe(0);
  expect(check.all).toContain('test is successful');

  const child: ChildProcess = spawn(nginxBin!, ['-p', prefix, '-c', main, '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    const status = await fetch(`${url}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (attempt > 200 || child.exitCode !== null) throw new Error(`nginx did not proxy /healthz (last status ${status}):\n${readFileSync(path.join(prefix, 'error.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { url, errorLog: () => readFileSync(path.join(prefix, 'error.log'), 'utf8'), stop };
}

/** Opens `GET /sse` through nginx as a browser would (gzip accepted) and reads until the first event. */
async function firstEvent(url: string): Promise<{ text: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const response = await fetch(`${url}/sse`, { headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip' } });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return { text, reader };
}

/** Reads a stream to its end, or until the connection is cut; the text read. */
async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  } catch {
    // A cut connection ends the stream too.
  }
  return text;
}

/** Bounded wait for a metric to reach a value. */
async function untilMetric(serverUrl: string, sample: string, predicate: (value: number) => boolean, what: string): Promise<void> {
  for (let attempt = 0; !predicate(await metric(serverUrl, sample)); attempt += 1) {
    if (attempt > 400) throw new Error(`${what}: ${sample} never got there`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('deploy/nginx in front of a generated server', () => {
  it('passes nginx -t, proxies the health checks and keeps /metrics private', async (context) => {
    if (!nginxBin) return context.skip(SKIP);
    const nginx = await startNginx(server);
    expect((await fetch(`${nginx.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });

  it('passes each SSE event on while its stream is still open', async (context) => {
    if (!nginxBin) return context.skip(SKIP);
    const nginx = await startNginx(server);

    // Raw: the endpoint event has arrived, and the server still holds the stream open.
    const { text, reader } = await firstEvent(nginx.url);
    expect(text).toMatch(/^event: endpoint\ndata: \/messages\?sessionId=/);
    expect(await metric(server.url, 'mcp_open_streams{kind="legacy-sse"}')).toBe(1);
    await reader.cancel();
    await untilMetric(server.url, 'mcp_open_streams{kind="legacy-sse"}', (value) => value === 0, 'the cancelled stream closes');

    // A legacy SSE session through nginx: watch_note waits on the open stream until another client
    // (Streamable HTTP, also through nginx) appends a line; its result arrives while the call waits
    // (it names the new line: the 30 s wait did not run out), and the session stays usable.
    const legacy = new Client({ name: 'nginx-legacy-sse', version: '1.0.0' });
    await legacy.connect(new SSEClientTransport(new URL(`${nginx.url}/sse`)));
    const writer = new Client({ name: 'nginx-writer', version: '1.0.0' });
    await writer.connect(new StreamableHTTPClientTransport(new URL(`${nginx.url}/mcp`)));
    try {
      const watching = legacy.callTool({ name: 'watch_note', arguments: { note: 'through nginx', seconds: 30 } });
      await untilMetric(server.url, 'mcp_inflight_tool_calls', (value) => value === 1, 'watch_note starts');
      await writer.callTool({ name: 'append_note', arguments: { note: 'through nginx', text: 'hello from the other side' } });
      expect((await watching).structuredContent).toEqual({
        note: 'through nginx',
        entry: { text: 'hello from the other side', addedAt: expect.any(String) },
      });
      expect((await legacy.listTools()).tools.map((tool) => tool.name)).toContain('watch_note');
      expect(await metric(server.url, 'mcp_open_streams{kind="legacy-sse"}')).toBe(1);
    } finally {
      await legacy.close();
      await writer.close();
    }
  });

  it('control: without the config’s `proxy_buffering off` and `gzip off`, the same event arrives only after the server closed the stream', async (context) => {
    if (!nginxBin) return context.skip(SKIP);
    // Either directive alone is enough against this main config; without both, gzip holds events.
    const nginx = await startNginx(shortLived, (text) => replaceOnce(replaceOnce(text, 'proxy_buffering off;', ''), 'gzip off;', ''));
    await untilMetric(shortLived.url, 'mcp_open_streams{kind="legacy-sse"}', (value) => value === 0, 'no stream left open');
    const before = await metric(shortLived.url, streamClosed('lifetime'));
    const { text, reader } = await firstEvent(nginx.url);
    expect(text).toMatch(/^event: endpoint\n/);
    expect(await metric(shortLived.url, streamClosed('lifetime'))).toBe(before + 1);
    await readToEnd(reader);
  });

  it('never cuts an idle stream before the server’s SSE_MAX_LIFETIME_MS: its timeouts are longer', async (context) => {
    if (!nginxBin) return context.skip(SKIP);
    const lifetimeMs = 3_600_000; // the server's default, which `server` runs with
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const match = new RegExp(`^\\s*${directive} (\\d+)s;`, 'm').exec(conf);
      expect(Number(match?.[1]) * 1_000, directive).toBeGreaterThan(lifetimeMs);
    }

    // Live, with a server whose streams live 3 s and carry nothing (no heartbeat): the server's
    // lifetime ends the stream, not nginx.
    const nginx = await startNginx(shortLived);
    await untilMetric(shortLived.url, 'mcp_open_streams{kind="legacy-sse"}', (value) => value === 0, 'no stream left open');
    const before = { lifetime: await metric(shortLived.url, streamClosed('lifetime')), client: await metric(shortLived.url, streamClosed('client')) };
    const { reader } = await firstEvent(nginx.url);
    expect(await readToEnd(reader)).toContain('"reason":"lifetime"');
    expect(await metric(shortLived.url, streamClosed('lifetime'))).toBe(before.lifetime + 1);
    expect(await metric(shortLived.url, streamClosed('client'))).toBe(before.client);
    expect(nginx.errorLog()).not.toContain('upstream timed out');
  });

  it('control: the same idle stream with proxy_read_timeout 1s is cut by nginx, so that directive is the one that counts', async (context) => {
    if (!nginxBin) return context.skip(SKIP);
    const nginx = await startNginx(shortLived, (text) => replaceOnce(text, 'proxy_read_timeout 3660s;', 'proxy_read_timeout 1s;'));
    await untilMetric(shortLived.url, 'mcp_open_streams{kind="legacy-sse"}', (value) => value === 0, 'no stream left open');
    const before = await metric(shortLived.url, streamClosed('client'));
    const { reader } = await firstEvent(nginx.url);
    expect(await readToEnd(reader)).not.toContain('"reason":"lifetime"');
    expect(nginx.errorLog()).toContain('upstream timed out');
    await untilMetric(shortLived.url, streamClosed('client'), (value) => value === before + 1, 'nginx closes the stream');
  });
});

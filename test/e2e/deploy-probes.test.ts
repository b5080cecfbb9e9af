import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployRepo, fetchAs, metric, readDeployment, type DeploymentSpec, type Probe } from './deploy-repo.js';
import { startHttpServer, type RunningHttpServer } from './generated-repo.js';

// A pod's life as the kubelet sees it, on a generated server started with the ConfigMap's settings:
// probes at the manifest's paths and periods, in-flight calls, the preStop delay, SIGTERM, and the
// grace period after which the kubelet would kill the process. Probe periods and the preStop delay
// are divided by SCALE to keep the test short; the grace period and the server's shutdown timeout
// are not.
const SCALE = 10;
const POD_IP_HOST = '10.1.2.3:3000';
const TOKEN = 'probe-test-token-0123456789';

interface ProbeResult {
  /** Global order of results across both probes. */
  seq: number;
  probe: 'liveness' | 'readiness';
  ok: boolean;
  status: number | string;
  afterSigterm: boolean;
}

let repo: string;
let spec: DeploymentSpec;
let dataDir: string;

beforeAll(async () => {
  repo = await deployRepo();
  spec = readDeployment(repo);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'deploy-probes-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** One probe as the kubelet sends it: a new connection, the pod IP as Host, success is 200-399. */
function probeOnce(port: number, probe: Probe): Promise<{ ok: boolean; status: number | string }> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: probe.httpGet.path, agent: false, timeout: probe.timeoutSeconds * 1_000, headers: { host: POD_IP_HOST, 'user-agent': 'kube-probe/1.31' } },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 400, status });
      },
    );
    request.on('timeout', () => request.destroy(new Error('probe timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, status: error.code ?? error.message }));
  });
}

describe('Kubernetes-style lifecycle of a generated HTTP server (deploy/k8s)', () => {
  it('the probe ports are the container port the server listens on', () => {
    const port = spec.container.ports.find((each) => each.name === spec.container.livenessProbe.httpGet.port);
    expect(port?.containerPort).toBe(Number(spec.env.PORT));
    expect(spec.container.readinessProbe.httpGet.port).toBe(spec.container.livenessProbe.httpGet.port);
  });

  it('on termination: readiness fails before liveness ever does, in-flight calls finish, exit 0 within the grace period', async () => {
    const { livenessProbe, readinessProbe, lifecycle } = spec.container;
    const graceMs = spec.terminationGracePeriodSeconds * 1_000;
    // The pod's environment: the ConfigMap and the Secret; the bind address and port made local
    // (loopback, a free port) and DATA_DIR on a scratch folder, as the emptyDir is in the pod.
    const server: RunningHttpServer = await startHttpServer(repo, { ...spec.env, MCP_AUTH_TOKEN: TOKEN, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir });
    const port = Number(new URL(server.url).port);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    let alive = true;
    void exited.then(() => (alive = false));

    const results: ProbeResult[] = [];
    let sigtermSent = false;
    const poll = async (probe: ProbeResult['probe'], settings: Probe) => {
      while (alive) {
        const result = await probeOnce(port, settings);
        if (!alive && !result.ok) break; // the process is gone: the kubelet stops probing
        results.push({ seq: results.length, probe, afterSigterm: sigtermSent, ...result });
        await new Promise((resolve) => setTimeout(resolve, (settings.periodSeconds * 1_000) / SCALE));
      }
    };
    const pollers = [poll('liveness', livenessProbe), poll('readiness', readinessProbe)];
    const clients: Client[] = [];
    try {
      // Ready first, as a pod must be before the Service sends it traffic.
      for (let attempt = 0; !results.some((each) => each.probe === 'readiness' && each.ok); attempt += 1) {
        if (attempt > 200) throw new Error(`never ready: ${JSON.stringify(results)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }

      // In-flight calls from clients inside the cluster: Host is the Service's name, with the token.
      const calls = (['legacy', 'auto'] as const).map(async (mode) => {
        const client = new Client({ name: `probe-${mode}`, version: '1.0.0' }, { versionNegotiation: { mode } });
        clients.push(client);
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`http://${spec.serviceName}/mcp`), {
            fetch: fetchAs(spec.serviceName, port),
            requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
          }),
        );
        return client.callTool({ name: 'watch_note', arguments: { note: `probe ${mode}`, seconds: 3 } });
      });
      for (let attempt = 0; (await metric(server.url, 'mcp_inflight_tool_calls')) < 2; attempt += 1) {
        if (attempt > 200) throw new Error(`the calls never started:\n${server.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }

      // Termination: preStop, then SIGTERM; the kubelet kills the process when the grace period
      // (counted from the start of preStop) runs out.
      let killed = false;
      const killer = setTimeout(() => {
        killed = true;
        server.child.kill('SIGKILL');
      }, graceMs);
      await new Promise((resolve) => setTimeout(resolve, (lifecycle.preStop.sleep.seconds * 1_000) / SCALE));
      sigtermSent = true;
      server.child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(killer);
      await Promise.all(pollers);

      expect(killed, 'killed at the end of terminationGracePeriodSeconds').toBe(false);
      expect(code, server.stderr()).toBe(0);
      for (const result of await Promise.all(calls)) {
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toEqual({ note: expect.stringMatching(/^probe (legacy|auto)$/), entry: null });
      }

      const liveness = results.filter((each) => each.probe === 'liveness');
      const readiness = results.filter((each) => each.probe === 'readiness');
      expect(readiness.filter((each) => !each.afterSigterm).every((each) => each.ok), JSON.stringify(readiness)).toBe(true);
      const firstNotReady = readiness.find((each) => !each.ok);
      expect(firstNotReady, 'readiness failed after SIGTERM').toMatchObject({ afterSigterm: true, status: 503 });
      const firstNotLive = liveness.find((each) => !each.ok);
      if (firstNotLive) expect(firstNotLive.seq).toBeGreaterThan(firstNotReady!.seq);
      // Alive while draining: liveness still passed after readiness had failed.
      expect(liveness.some((each) => each.ok && each.seq > firstNotReady!.seq)).toBe(true);
      // Never as many liveness failures in a row as the kubelet needs to restart the container.
      let streak = 0;
      for (const each of liveness) {
        streak = each.ok ? 0 : streak + 1;
        expect(streak).toBeLessThan(livenessProbe.failureThreshold);
      }
    } finally {
      alive = false;
      for (const client of clients) await client.close().catch(() => {});
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});

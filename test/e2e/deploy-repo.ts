import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import { generate } from './generated-repo.js';
import { runIn, workPath } from './helpers.js';

/**
 * One generated `http,sse` repo for every deploy-*.test.ts file: generated, installed and built
 * once per run (test files run one at a time, and the marker is written only after success).
 */
export async function deployRepo(): Promise<string> {
  const repo = workPath('deploy-http-sse');
  const ready = `${repo}.ready`;
  if (!existsSync(ready)) {
    await rm(repo, { recursive: true, force: true });
    await generate(repo, ['--transport', 'http,sse', '--db', 'none']);
    await runIn(repo, 'npm', ['run', 'build']);
    await writeFile(ready, '');
  }
  return repo;
}

/** The parts of a generated manifest these tests read. */
export interface Probe {
  httpGet: { path: string; port: string | number };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface DeploymentSpec {
  container: {
    ports: { name: string; containerPort: number }[];
    livenessProbe: Probe;
    readinessProbe: Probe;
    lifecycle: { preStop: { sleep: { seconds: number } } };
  };
  terminationGracePeriodSeconds: number;
  /** The ConfigMap's data: the pod's environment, less the Secret. */
  env: Record<string, string>;
  serviceName: string;
}

/** deploy/k8s of a generated repo, read with a YAML parser (the repo's own tests validate the schemas). */
export function readDeployment(repo: string): DeploymentSpec {
  const read = <T>(file: string): T => parse(readFileSync(path.join(repo, 'deploy', 'k8s', file), 'utf8')) as T;
  const pod = read<{ spec: { template: { spec: { containers: DeploymentSpec['container'][]; terminationGracePeriodSeconds: number } } } }>(
    'deployment.yaml',
  ).spec.template.spec;
  const [container] = pod.containers;
  if (!container) throw new Error('deployment.yaml has no container');
  const configMap = read<{ data: Record<string, string> }>('configmap.yaml');
  const service = read<{ metadata: { name: string } }>('service.yaml');
  return { container, terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds, env: configMap.data, serviceName: service.metadata.name };
}

/** A port that was free a moment ago, on loopback (for programs that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A `fetch` that connects to 127.0.0.1:port but sends `Host: host`, as a client inside the cluster
 * does when it calls the Service by name (the global fetch does not let a caller set Host).
 */
export function fetchAs(host: string, port: number): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') throw new Error('fetchAs sends string bodies only');
    const headers = Object.fromEntries(new Headers(init.headers));
    return new Promise<Response>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: `${url.pathname}${url.search}`, method: init.method ?? 'GET', headers: { ...headers, host }, signal: init.signal ?? undefined },
        (response) => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) for (const each of [value ?? []].flat()) responseHeaders.append(name, each);
          const status = response.statusCode ?? 502;
          const body = [204, 205, 304].includes(status) ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, headers: responseHeaders }));
        },
      );
      request.on('error', reject);
      request.end(init.body ?? undefined);
    });
  };
}

/** The value of one Prometheus sample, e.g. `mcp_open_streams{kind="legacy-sse"}`; 0 when absent. */
export async function metric(serverUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const line = text.split('\n').find((each) => each.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { only, readManifests } from '../helpers/k8s.js';
import { nginxBytes, nginxMs, parseNginx, type Directive } from '../helpers/nginx.js';
import { repoRoot } from '../helpers/server-env.js';

// deploy/nginx must pass streams through as the server writes them and never cut one before the
// server's own SSE_MAX_LIFETIME_MS. The generator's e2e runs this file in a real nginx.

const nginxDir = path.join(repoRoot, 'deploy', 'nginx');
const [file] = readdirSync(nginxDir).filter((name) => name.endsWith('.conf'));
const directives = parseNginx(readFileSync(path.join(nginxDir, file ?? 'missing.conf'), 'utf8'));
/** The server as deployed (deploy/k8s/configmap.yaml). */
const config = loadConfig((only(readManifests().manifests, 'ConfigMap').data ?? {}) as Record<string, string>);

const upstream = directives.find((directive) => directive.name === 'upstream');
const server = directives.find((directive) => directive.name === 'server')?.block ?? [];
const locations = server.filter((directive) => directive.name === 'location');
const proxied = locations.filter((location) => location.block?.some((directive) => directive.name === 'proxy_pass'));

const all = (block: Directive[], name: string) => block.filter((directive) => directive.name === name);
/** A directive's value in a location: its own, else the one it inherits from the server block. */
const effective = (location: Directive, name: string) => (all(location.block ?? [], name)[0] ?? all(server, name)[0])?.args;

describe('deploy/nginx', () => {
  it('proxies to the server’s port, keeping upstream connections alive', () => {
    expect(upstream?.block?.find((directive) => directive.name === 'server')?.args).toEqual([`127.0.0.1:${config.http.port}`]);
    expect(proxied.length).toBeGreaterThan(0);
    for (const location of proxied) {
      expect(effective(location, 'proxy_pass')).toEqual([`http://${upstream?.args[0]}`]);
      expect(effective(location, 'proxy_http_version')).toEqual(['1.1']);
    }
  });

  it('passes streams on event by event: no buffering, caching or compression', () => {
    for (const location of proxied) {
      expect(effective(location, 'proxy_buffering'), location.args.join(' ')).toEqual(['off']);
      expect(effective(location, 'proxy_cache')).toEqual(['off']);
      expect(effective(location, 'gzip')).toEqual(['off']);
    }
    expect(all(server, 'add_header').map((directive) => directive.args)).toContainEqual(['X-Accel-Buffering', 'no', 'always']);
  });

  it('waits longer than SSE_MAX_LIFETIME_MS for an idle stream, both ways', () => {
    for (const location of proxied) {
      for (const name of ['proxy_read_timeout', 'proxy_send_timeout']) {
        const value = effective(location, name)?.[0];
        expect(value, `${name} (nginx's default is 60 s)`).toBeDefined();
        expect(nginxMs(value!)).toBeGreaterThan(config.streams.maxLifetimeMs);
      }
    }
  });

  it('forwards the client’s host, address and scheme on every proxied request', () => {
    const headers = Object.fromEntries(all(server, 'proxy_set_header').map((directive) => directive.args));
    expect(headers).toMatchObject({
      Host: '$host',
      'X-Real-IP': '$remote_addr',
      'X-Forwarded-For': '$proxy_add_x_forwarded_for',
      'X-Forwarded-Proto': '$scheme',
      Connection: '',
    });
    // nginx inherits proxy_set_header and add_header only into blocks that set none of their own.
    for (const location of locations) {
      expect(all(location.block ?? [], 'proxy_set_header')).toEqual([]);
      expect(all(location.block ?? [], 'add_header')).toEqual([]);
    }
  });

  it('lets bodies up to MAX_BODY_BYTES through, so the server gives its own 413', () => {
    expect(nginxBytes(all(server, 'client_max_body_size')[0]?.args[0] ?? '1m')).toBeGreaterThan(config.http.maxBodyBytes);
  });

  it('keeps /metrics off the public side', () => {
    const metrics = locations.find((location) => location.args.join(' ') === '= /metrics');
    expect(metrics?.block?.map((directive) => directive.name)).toEqual(['return']);
  });
});

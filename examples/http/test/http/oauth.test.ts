import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { IssuerKeys, KeySetUnavailableError, metadataUrls } from '../../src/http/oauth/jwks.js';
import { resourceMetadataUrl } from '../../src/http/oauth/metadata.js';
import { createTokenVerifier, InvalidTokenError } from '../../src/http/oauth/verify.js';
import { startAuthorizationServer, type AuthorizationServer } from '../helpers/authorization-server.js';
import {
  envelope,
  initializeRequest,
  legacyHeaders,
  modernHeaders,
  modernToolCallRequest,
  parseSse,
  rawRequest,
  toolCallRequest,
  waitUntilReady,
  type RawResponse,
} from '../helpers/http-raw.js';
import { startHttpServer } from '../helpers/http-process.js';
import { startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';

// The HTTP server as an OAuth 2.1 resource server, against a real authorization server
// (oidc-provider) issuing JWT access tokens for an RFC 8707 resource. Tokens it did not issue,
// or issued for someone else, are forged here with jose: signed with its own key where that
// matters, so only the one claim under test is wrong.

const RESOURCE = 'https://mcp.example.test/mcp';
const METADATA_PATH = '/.well-known/oauth-protected-resource/mcp';
const PROBES = ['/healthz', '/readyz', '/metrics'];

let as: AuthorizationServer;
let server: TestHttpServer | undefined;

beforeAll(async () => {
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as.close();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestHttpServer> {
  server = await startTestHttpServer({ OAUTH_ISSUER: as.issuer, MCP_RESOURCE_URL: RESOURCE, OAUTH_SCOPES: 'mcp', ...env });
  return server;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function initialize(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(url, '/mcp', { headers: { ...legacyHeaders, ...headers }, body: initializeRequest('oauth-test') });
}

function call(url: string, token: string, name: string, args: Record<string, unknown>): Promise<RawResponse> {
  return rawRequest(url, '/mcp', { headers: { ...legacyHeaders, ...bearer(token) }, body: toolCallRequest(name, args) });
}

async function listTools(url: string, token: string, era: 'legacy' | 'modern' = 'legacy'): Promise<string[]> {
  const request =
    era === 'legacy'
      ? { headers: { ...legacyHeaders, ...bearer(token) }, body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }
      : { headers: { ...modernHeaders('tools/list'), ...bearer(token) }, body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope() } } };
  const response = await rawRequest(url, '/mcp', request);
  expect(response.status).toBe(200);
  // A JSON body or, when the SDK chose to stream, one SSE message event.
  const text = response.headers['content-type']?.startsWith('text/event-stream') ? (parseSse(response.body)[0]?.data ?? '') : response.body;
  return (JSON.parse(text) as { result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name);
}

/** The parameters of a `WWW-Authenticate: Bearer k="v", …` header. */
function challenge(response: RawResponse): Record<string, string> {
  const header = response.headers['www-authenticate'];
  expect(header, 'WWW-Authenticate').toMatch(/^Bearer /);
  return Object.fromEntries([...String(header).matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
}

function expectInvalidToken(response: RawResponse): void {
  expect(response.status).toBe(401);
  expect(challenge(response)).toMatchObject({ error: 'invalid_token', resource_metadata: `https://mcp.example.test${METADATA_PATH}` });
}

/** A token signed with the authorization server's own key, with `claims` overriding a valid set. */
async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const valid = { iss: as.issuer, aud: RESOURCE, sub: 'mallory', client_id: 'forger', scope: 'mcp notes:write', iat: now, exp: now + 300 };
  return new SignJWT({ ...valid, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: as.publicJwk.kid, typ: 'at+jwt', ...header })
    .sign(as.signingKey);
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('protected resource metadata (RFC 9728)', () => {
  it('is served at the path-aware and the bare location, to anyone', async () => {
    const { url } = await start({ OAUTH_SCOPES: 'mcp notes:read' });
    for (const path of [METADATA_PATH, '/.well-known/oauth-protected-resource']) {
      // No token, and a Host the MCP endpoint would refuse: open like the probes.
      const response = await rawRequest(url, path, { headers: { host: 'evil.example' } });
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response.body)).toEqual({
        resource: RESOURCE,
        authorization_servers: [as.issuer],
        scopes_supported: ['mcp', 'notes:read'],
        bearer_methods_supported: ['header'],
      });
    }
  });

  it('does not exist without OAUTH_ISSUER', async () => {
    server = await startTestHttpServer();
    expect((await rawRequest(server.url, METADATA_PATH)).status).toBe(404);
  });

  it('puts the well-known segment before the resource path', () => {
    expect(resourceMetadataUrl('https://mcp.example.com/mcp')).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    expect(resourceMetadataUrl('https://mcp.example.com/')).toBe('https://mcp.example.com/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('https://example.com/tenant/a/mcp/')).toBe('https://example.com/.well-known/oauth-protected-resource/tenant/a/mcp');
  });
});

describe('access tokens', () => {
  it('answers a request without a token with 401, where to find the authorization server and no error code', async () => {
    const { url } = await start();
    const response = await initialize(url);
    expect(response.status).toBe(401);
    expect(challenge(response)).toEqual({ resource_metadata: `https://mcp.example.test${METADATA_PATH}`, scope: 'mcp' });
  });

  it('lets a valid token from the authorization server in', async () => {
    const { url } = await start();
    const token = await as.machineToken(RESOURCE);
    const response = await initialize(url, bearer(token));
    expect(response.status).toBe(200);
    expect(response.body).toContain('"protocolVersion"');
  });

  it('refuses garbage and a malformed Authorization header with invalid_token', async () => {
    const { url } = await start();
    expectInvalidToken(await initialize(url, bearer('not-a-jwt')));
    expectInvalidToken(await initialize(url, bearer('a.b.c')));
    expectInvalidToken(await initialize(url, { authorization: 'Bearer two words' }));
    expectInvalidToken(await initialize(url, { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }));
  });

  it('refuses a token the authorization server issued for another resource (audience)', async () => {
    const { url } = await start();
    const foreign = await as.machineToken('https://other-server.example.test/mcp');
    expectInvalidToken(await initialize(url, bearer(foreign)));
  });

  it('refuses an expired token (beyond the clock leeway) and one not valid yet', async () => {
    const { url } = await start();
    const now = Math.floor(Date.now() / 1000);
    expectInvalidToken(await initialize(url, bearer(await forge({ iat: now - 900, exp: now - 300 }))));
    expectInvalidToken(await initialize(url, bearer(await forge({ nbf: now + 300 }))));
    // The forger's control: the same token with valid times is let in.
    expect((await initialize(url, bearer(await forge({})))).status).toBe(200);
  });

  it('refuses a token without an expiry', async () => {
    const { url } = await start();
    const token = await new SignJWT({ scope: 'mcp' })
      .setProtectedHeader({ alg: 'ES256', kid: as.publicJwk.kid })
      .setIssuer(as.issuer)
      .setAudience(RESOURCE)
      .sign(as.signingKey);
    expectInvalidToken(await initialize(url, bearer(token)));
  });

  it('refuses a token from another issuer, even signed with a trusted key', async () => {
    const { url } = await start();
    expectInvalidToken(await initialize(url, bearer(await forge({ iss: 'https://evil-issuer.example' }))));
  });

  it('refuses a tampered token and one signed with a key the issuer does not publish', async () => {
    const { url } = await start();
    const [header, payload, signature = ''] = (await as.machineToken(RESOURCE)).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const widened = `${header}.${base64url({ ...claims, sub: 'admin' })}.${signature}`;
    expectInvalidToken(await initialize(url, bearer(widened)));

    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const unknownKid = await new SignJWT({ scope: 'mcp' })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-published' })
      .setIssuer(as.issuer)
      .setAudience(RESOURCE)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    expectInvalidToken(await initialize(url, bearer(unknownKid)));
    // Same kid as the real key, wrong key: the signature check catches it.
    const sameKid = await new SignJWT({ scope: 'mcp' })
      .setProtectedHeader({ alg: 'ES256', kid: as.publicJwk.kid })
      .setIssuer(as.issuer)
      .setAudience(RESOURCE)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    expectInvalidToken(await initialize(url, bearer(sameKid)));
  });

  it('refuses alg "none" and HS256 signed with the public key as the secret', async () => {
    const { url } = await start();
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: as.issuer, aud: RESOURCE, sub: 'mallory', scope: 'mcp notes:write', exp: now + 300 };
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    expectInvalidToken(await initialize(url, bearer(unsigned)));

    // The classic confusion: the public key (which anyone can fetch) used as an HMAC secret.
    const publicPem = await exportSPKI(await importJWK(as.publicJwk, 'ES256', { extractable: true }) as never);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: as.publicJwk.kid }).sign(new TextEncoder().encode(publicPem));
    expectInvalidToken(await initialize(url, bearer(hmac)));
  });

  it('caches the key set, and made-up key ids do not make it hammer the issuer', async () => {
    const { url } = await start();
    const before = as.jwksFetches;
    const token = await as.machineToken(RESOURCE);
    for (let i = 0; i < 3; i += 1) expect((await initialize(url, bearer(token))).status).toBe(200);
    expect(as.jwksFetches - before).toBe(1);

    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 10; i += 1) {
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: randomUUID() }).setIssuer(as.issuer).setAudience(RESOURCE).setExpirationTime(now + 300).sign(privateKey);
      expectInvalidToken(await initialize(url, bearer(token)));
    }
    // At most one refetch per cooldown (30 s), however many unknown kids arrive.
    expect(as.jwksFetches - before).toBeLessThanOrEqual(2);
  });

  it('takes the key set from OAUTH_JWKS_URL without asking for the issuer metadata', async () => {
    const { url } = await start({ OAUTH_JWKS_URL: `${as.issuer}/jwks` });
    const before = as.metadataFetches;
    expect((await initialize(url, bearer(await as.machineToken(RESOURCE)))).status).toBe(200);
    expect(as.metadataFetches).toBe(before);
  });

  it('looks for the issuer metadata as RFC 8414 says first, then as OpenID discovery does', () => {
    expect(metadataUrls('https://auth.example.com/realms/mcp')).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server/realms/mcp',
      'https://auth.example.com/.well-known/openid-configuration/realms/mcp',
      'https://auth.example.com/realms/mcp/.well-known/openid-configuration',
    ]);
    expect(metadataUrls('https://auth.example.com/')).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server',
      'https://auth.example.com/.well-known/openid-configuration',
    ]);
  });

  it('answers 503, not 401, while the authorization server cannot be reached', async () => {
    const { url } = await start({ OAUTH_ISSUER: 'http://127.0.0.1:9/' });
    const response = await initialize(url, bearer(await forge({})));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
  });
});

describe('scopes', () => {
  it('answers a token without the required scopes (OAUTH_SCOPES) with 403 insufficient_scope naming them', async () => {
    const { url } = await start();
    const token = await as.machineToken(RESOURCE, 'notes:write');
    const response = await initialize(url, bearer(token));
    expect(response.status).toBe(403);
    expect(challenge(response)).toMatchObject({ error: 'insufficient_scope', scope: 'mcp', resource_metadata: `https://mcp.example.test${METADATA_PATH}` });
  });

  it('leaves tools out of tools/list that the token cannot call, and answers a call to one with 403 (step-up)', async () => {
    const { url } = await start();
    const readOnly = await as.machineToken(RESOURCE, 'mcp');
    const tools = await listTools(url, readOnly);
    expect(tools).toContain('search_notes');
    expect(tools).not.toContain('append_note');

    const refused = await call(url, readOnly, 'append_note', { note: 'scoped', text: 'no' });
    expect(refused.status).toBe(403);
    expect(challenge(refused)).toMatchObject({ error: 'insufficient_scope', scope: 'mcp notes:write' });
    expect(await server?.services.notes.get('scoped')).toBeUndefined();
    // The same call in a batch is refused too.
    const batch = await rawRequest(url, '/mcp', {
      headers: { ...legacyHeaders, ...bearer(readOnly) },
      body: [toolCallRequest('search_notes', { query: 'x' }), toolCallRequest('append_note', { note: 'scoped', text: 'no' })],
    });
    expect(batch.status).toBe(403);

    const writer = await as.machineToken(RESOURCE, 'mcp notes:write');
    expect(await listTools(url, writer)).toContain('append_note');
    const allowed = await call(url, writer, 'append_note', { note: 'scoped', text: 'yes' });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain('"line":1');
    // One caller's scopes never change what the next one sees.
    expect(await listTools(url, readOnly)).not.toContain('append_note');
  });

  it('keeps scopes and callers apart in 2026-07-28 requests, where idle server instances are reused', async () => {
    const { url, logs } = await start();
    const readOnly = await forge({ sub: 'reader', scope: 'mcp' });
    const writer = await forge({ sub: 'writer', scope: 'mcp notes:write' });
    for (let round = 0; round < 3; round++) {
      expect(await listTools(url, readOnly, 'modern')).not.toContain('append_note');
      expect(await listTools(url, writer, 'modern')).toContain('append_note');
    }
    for (const token of [writer, readOnly, writer]) {
      const response = await rawRequest(url, '/mcp', {
        headers: { ...modernHeaders('tools/call', 'search_notes'), ...bearer(token) },
        body: modernToolCallRequest('search_notes', { query: 'anything' }),
      });
      expect(response.status).toBe(200);
    }
    const subjects = logs.filter((entry) => entry.msg === 'tool call finished').map((entry) => entry.subject);
    expect(subjects).toEqual(['writer', 'reader', 'writer']);
  });

  it('lets tools see who called: subject and client id reach the tool context (and its log lines)', async () => {
    const { url, logs } = await start();
    const token = await forge({ sub: 'alice', client_id: 'notes-app' });
    expect((await call(url, token, 'search_notes', { query: 'anything' })).status).toBe(200);
    const finished = logs.find((entry) => entry.msg === 'tool call finished' && entry.tool === 'search_notes');
    expect(finished).toMatchObject({ subject: 'alice', clientId: 'notes-app' });
  });
});

describe('what stays open and what runs first', () => {
  it('keeps probes and metrics open without a token', async () => {
    const { url } = await start();
    // The embedded database may take a moment: wait as a readiness probe would.
    await waitUntilReady(url);
    for (const path of PROBES) expect((await rawRequest(url, path)).status, path).toBe(200);
  });

  it('runs the Host/Origin guards before the token check', async () => {
    const { url } = await start();
    const token = await as.machineToken(RESOURCE);
    expect((await initialize(url, { host: 'evil.example', ...bearer(token) })).status).toBe(403);
    expect((await initialize(url, { origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('the token verifier on its own (jose-made keys)', () => {
  const issuer = 'https://auth.example.test';
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses HMAC tokens by algorithm even when the key lookup would hand out a shared secret', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');
    const verify = createTokenVerifier({ issuer, audience: RESOURCE, getKey: async () => secret, resourceMetadataUrl: 'x' });
    const token = await new SignJWT({ iss: issuer, aud: RESOURCE, exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    await expect(verify(token)).rejects.toThrow(InvalidTokenError);
    await expect(verify(token)).rejects.toThrow(/algorithm/);
  });

  it('reads scopes from `scope` or `scp`, the client from `client_id` or `azp`, and the subject', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const verify = createTokenVerifier({ issuer, audience: RESOURCE, getKey: async () => publicKey, resourceMetadataUrl: 'https://x/meta' });
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ iss: issuer, aud: ['https://another.example', RESOURCE], exp: now() + 60, sub: 'bob', ...claims }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);

    const fromScope = await verify(await sign({ scope: 'mcp  notes:write', client_id: 'app' }));
    expect(fromScope).toMatchObject({ clientId: 'app', scopes: ['mcp', 'notes:write'], extra: { subject: 'bob' }, resourceMetadataUrl: 'https://x/meta' });
    const fromScp = await verify(await sign({ scp: ['mcp'], azp: 'other-app' }));
    expect(fromScp).toMatchObject({ clientId: 'other-app', scopes: ['mcp'] });
    // A clock a little behind the issuer's is tolerated; far behind is not.
    await expect(verify(await sign({ exp: now() - 10 }))).resolves.toBeDefined();
    await expect(verify(await sign({ exp: now() - 120 }))).rejects.toThrow(/expired/);
  });
});

describe('the key set while the authorization server is slow or failing', () => {
  const issuer = 'https://auth.example.test';
  type Mode = 'ok' | 'hang' | 'error';

  /** A key-set endpoint that serves one ES256 key, hangs without answering, or answers 500. */
  async function startKeyEndpoint() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
    const endpoint = { mode: 'ok' as Mode, fetches: 0, url: '', close: async () => {} };
    const http: Server = createServer((req, res) => {
      endpoint.fetches += 1;
      if (endpoint.mode === 'hang') return;
      if (endpoint.mode === 'error') res.writeHead(500).end('oops');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    endpoint.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/jwks`;
    endpoint.close = async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    };
    const token = () =>
      new SignJWT({ iss: issuer, aud: RESOURCE, sub: 'bob', exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    return { endpoint, token };
  }

  async function timed<T>(work: Promise<T>): Promise<{ ms: number; outcome: PromiseSettledResult<T> }> {
    const started = performance.now();
    const [outcome] = await Promise.allSettled([work]);
    return { ms: performance.now() - started, outcome: outcome! };
  }

  it('keeps verifying with the last key set, without waiting, while the key endpoint hangs', async () => {
    const { endpoint, token } = await startKeyEndpoint();
    const keys = new IssuerKeys({ issuer, jwksUrl: endpoint.url, maxAgeMs: 100, timeoutMs: 3_000 });
    const verify = createTokenVerifier({ issuer, audience: RESOURCE, getKey: keys.getKey, resourceMetadataUrl: 'x' });
    await expect(verify(await token())).resolves.toMatchObject({ extra: { subject: 'bob' } });

    endpoint.mode = 'hang';
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (let i = 0; i < 5; i += 1) {
      const { ms, outcome } = await timed(verify(await token()));
      expect(outcome.status).toBe('fulfilled');
      expect(ms).toBeLessThan(1_000);
    }
    // One background refetch at a time, not one per request.
    expect(endpoint.fetches).toBe(2);
    await endpoint.close();
  });

  it('stops trusting a key set it could not refresh for maxStaleMs past its age', async () => {
    const { endpoint, token } = await startKeyEndpoint();
    const keys = new IssuerKeys({ issuer, jwksUrl: endpoint.url, maxAgeMs: 100, maxStaleMs: 400, timeoutMs: 200, retryAfterFailureMs: 50 });
    const verify = createTokenVerifier({ issuer, audience: RESOURCE, getKey: keys.getKey, resourceMetadataUrl: 'x' });
    await expect(verify(await token())).resolves.toBeDefined();

    endpoint.mode = 'error';
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(verify(await token())).resolves.toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(verify(await token())).rejects.toBeInstanceOf(KeySetUnavailableError);

    // Once the issuer answers again, so does the server.
    endpoint.mode = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(verify(await token())).resolves.toBeDefined();
    await endpoint.close();
  });

  it('says "unavailable" (503), not "invalid token", when the key endpoint fails, and then fails fast', async () => {
    const { endpoint, token } = await startKeyEndpoint();
    const keys = new IssuerKeys({ issuer, jwksUrl: endpoint.url, timeoutMs: 3_000, retryAfterFailureMs: 10_000 });
    const verify = createTokenVerifier({ issuer, audience: RESOURCE, getKey: keys.getKey, resourceMetadataUrl: 'x' });
    endpoint.mode = 'error';
    await expect(verify(await token())).rejects.toBeInstanceOf(KeySetUnavailableError);

    endpoint.mode = 'hang';
    for (let i = 0; i < 5; i += 1) {
      const { ms, outcome } = await timed(verify(await token()));
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(KeySetUnavailableError);
      expect(ms).toBeLessThan(1_000);
    }
    expect(endpoint.fetches).toBe(1);
    await endpoint.close();
  });
});

describe('configuration', () => {
  const base = { MCP_TRANSPORT: 'http', OAUTH_ISSUER: 'https://auth.example.com', MCP_RESOURCE_URL: RESOURCE };

  it('reads the four variables', () => {
    const { oauth } = loadConfig({ ...base, OAUTH_SCOPES: 'mcp, notes:read  notes:write', OAUTH_JWKS_URL: 'https://auth.example.com/keys' }).http;
    expect(oauth).toEqual({ issuer: base.OAUTH_ISSUER, resourceUrl: RESOURCE, scopes: ['mcp', 'notes:read', 'notes:write'], jwksUrl: 'https://auth.example.com/keys' });
    expect(loadConfig({ MCP_TRANSPORT: 'http' }).http.oauth).toBeUndefined();
  });

  it('refuses OAUTH_ISSUER together with MCP_AUTH_TOKEN, naming both', () => {
    const load = () => loadConfig({ ...base, MCP_AUTH_TOKEN: 'a-long-enough-test-token' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/OAUTH_ISSUER.*MCP_AUTH_TOKEN/);
  });

  it('allows http:// only on loopback, and needs MCP_RESOURCE_URL', () => {
    expect(() => loadConfig({ ...base, OAUTH_ISSUER: 'http://auth.example.com' })).toThrow(/OAUTH_ISSUER must be an https:\/\/ URL/);
    expect(() => loadConfig({ ...base, MCP_RESOURCE_URL: 'http://mcp.example.com/mcp' })).toThrow(/MCP_RESOURCE_URL/);
    expect(loadConfig({ ...base, OAUTH_ISSUER: 'http://127.0.0.1:8080' }).http.oauth?.issuer).toBe('http://127.0.0.1:8080');
    expect(() => loadConfig({ MCP_TRANSPORT: 'http', OAUTH_ISSUER: base.OAUTH_ISSUER })).toThrow(/OAUTH_ISSUER needs MCP_RESOURCE_URL/);
    expect(() => loadConfig({ MCP_TRANSPORT: 'http', MCP_RESOURCE_URL: RESOURCE })).toThrow(/MCP_RESOURCE_URL.*need OAUTH_ISSUER/);
  });
});

describe('logs', () => {
  it('never contain a token, at any level', async () => {
    const good = await as.machineToken(RESOURCE);
    const readOnly = await as.machineToken(RESOURCE, 'mcp');
    const expired = await forge({ exp: Math.floor(Date.now() / 1000) - 600 });
    const tokens = [good, readOnly, expired, 'garbage-token-value-1234567890'];
    // Started last, so nothing between here and `finally` can leave it running.
    const spawned = await startHttpServer({ OAUTH_ISSUER: as.issuer, MCP_RESOURCE_URL: RESOURCE, OAUTH_SCOPES: 'mcp', LOG_LEVEL: 'trace' });
    try {
      for (const token of tokens) await initialize(spawned.url, bearer(token));
      await call(spawned.url, good, 'append_note', { note: 'logged', text: 'x' });
      await call(spawned.url, readOnly, 'append_note', { note: 'logged', text: 'x' });
      await call(spawned.url, good, 'no_such_tool', {});
      await spawned.waitForLog('tool call finished');
    } finally {
      await spawned.stop();
    }
    const stderr = spawned.stderr();
    expect(spawned.logs().some((line) => line.level === 'trace' || line.level === 'debug')).toBe(true);
    expect(spawned.logs().some((line) => line.msg === 'access token refused')).toBe(true);
    for (const token of tokens) {
      // Neither the token nor any of its parts (a signature alone is a secret-looking string too).
      for (const part of token.split('.').filter((segment) => segment.length > 16)) expect(stderr).not.toContain(part);
      expect(stderr).not.toContain(createHash('sha256').update(token).digest('hex'));
    }
  });
});

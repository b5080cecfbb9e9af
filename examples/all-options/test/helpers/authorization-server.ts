import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** The scopes the test authorization server knows; `mcp` plays the part of OAUTH_SCOPES. */
export const AS_SCOPES = ['mcp', 'notes:write'];

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A client registered in advance, for tokens without a user (client credentials grant). */
export const MACHINE_CLIENT = { id: 'machine-client', secret: 'machine-client-secret-0123456789' };

export interface AuthorizationServer {
  /** `http://127.0.0.1:<port>`: the issuer, as its tokens say. */
  issuer: string;
  /** The private signing key (ES256) the server uses, so tests can forge tokens signed with the right key. */
  signingKey: SigningKey;
  publicJwk: JWK;
  provider: Provider;
  /** A JWT access token from the client credentials grant, for `resource`, with `scope`. */
  machineToken(resource: string, scope?: string): Promise<string>;
  /** How many times the key set was fetched (key-set caching is observable from here). */
  readonly jwksFetches: number;
  /** How many times its metadata was fetched (`/.well-known/…`). */
  readonly metadataFetches: number;
  close(): Promise<void>;
}

/**
 * A real OAuth 2.1 / OpenID Connect authorization server (`oidc-provider`, OpenID certified) on a
 * free loopback port: JWT access tokens with an audience from the RFC 8707 `resource` parameter,
 * dynamic client registration, authorization code with PKCE. Login and consent are small JSON
 * "pages" under `/interaction/:uid` that a test drives with plain HTTP requests (see `authorize`).
 */
export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'test-signing-key';
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };

  let jwksFetches = 0;
  let metadataFetches = 0;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => {
    if (req.url === '/jwks') jwksFetches += 1;
    if (req.url?.startsWith('/.well-known/')) metadataFetches += 1;
    handle(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: MACHINE_CLIENT.id,
        client_secret: MACHINE_CLIENT.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: AS_SCOPES.join(' '),
      },
    ],
    jwks: { keys: [privateJwk] },
    // The only signing key is ES256: clients default to it too.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    scopes: ['openid', 'offline_access', ...AS_SCOPES],
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Explicit lifetimes (seconds), so the provider does not print a notice for each default it uses.
    ttl: { AccessToken: 300, AuthorizationCode: 60, ClientCredentials: 300, Grant: 3600, IdToken: 300, Interaction: 600, RefreshToken: 3600, Session: 3600 },
    routes: { jwks: '/jwks' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx: KoaContextWithOIDC) => (ctx.oidc.params?.resource as string | undefined) ?? 'urn:no-resource',
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: AS_SCOPES.join(' '),
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  handle = (req, res) => {
    if (req.method === 'POST' && req.url === '/reg') {
      registerWithoutScopeLimit(req)
        .then(() => callback(req, res))
        .catch(() => res.writeHead(400).end());
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      return;
    }
    void callback(req, res);
  };

  return {
    issuer,
    signingKey: privateKey,
    publicJwk,
    provider,
    get jwksFetches() {
      return jwksFetches;
    },
    get metadataFetches() {
      return metadataFetches;
    },
    machineToken: async (resource, scope = AS_SCOPES.join(' ')) => {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${MACHINE_CLIENT.id}:${MACHINE_CLIENT.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!response.ok || body.access_token === undefined) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The login and consent "pages". GET answers which prompt is pending; POST `login` signs in the
 * posted account, POST `confirm` grants everything that was asked for.
 */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const action = new URL(req.url ?? '/', 'http://localhost').pathname.split('/')[3];
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
    return;
  }
  if (action === 'login') {
    const form = new URLSearchParams(await readText(req));
    await provider.interactionFinished(req, res, { login: { accountId: form.get('login') ?? 'anonymous' } }, { mergeWithLastSubmission: false });
    return;
  }
  if (action === 'confirm') {
    const { accountId } = details.session ?? {};
    const clientId = details.params.client_id as string;
    const grant = details.grantId === undefined ? new provider.Grant({ accountId, clientId }) : await provider.Grant.find(details.grantId);
    if (grant === undefined) throw new Error('grant not found');
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(404).end();
}

/**
 * Dynamic registration without the `scope` the client registers with: oidc-provider would limit
 * the client to those scopes for good, and a step-up to a wider scope (per-tool scopes) could then
 * never succeed. Many authorization servers leave scopes to consent instead, as this one now does.
 */
async function registerWithoutScopeLimit(req: IncomingMessage): Promise<void> {
  const metadata = JSON.parse(await readText(req)) as Record<string, unknown>;
  delete metadata.scope;
  (req as IncomingMessage & { body?: unknown }).body = metadata;
}

async function readText(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

/**
 * A user agent for the authorization code flow: follows redirects with cookies, signs in as
 * `login` and consents, and returns the callback URL the authorization server redirects to.
 */
export async function authorize(authorizationUrl: URL, redirectUri: string, login: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl.href;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step += 1) {
    if (url.startsWith(redirectUri)) return new URL(url);
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(body !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body !== undefined && { body }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const index = pair.indexOf('=');
      cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.get('location');
    if (location !== null) {
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    if (!response.ok) throw new Error(`authorization failed at ${url}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { uid: string; prompt: string };
    const base = new URL(`/interaction/${page.uid}/`, url);
    url = new URL(page.prompt === 'login' ? 'login' : 'confirm', base).href;
    method = 'POST';
    body = page.prompt === 'login' ? new URLSearchParams({ login }).toString() : '';
  }
  throw new Error('authorization did not finish in 20 steps');
}

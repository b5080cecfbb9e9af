import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport, UnauthorizedError, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, startAuthorizationServer, type AuthorizationServer } from '../helpers/authorization-server.js';
import { waitFor } from '../helpers/http-raw.js';
import { startHttpServer, type HttpServerProcess } from '../helpers/http-process.js';

// The MCP SDK's own OAuth client against the built server and a real authorization server:
// discovery from our 401, dynamic client registration, authorization code with PKCE, a token
// for our resource (RFC 8707), then tool calls, including a step-up to a wider scope.

const REDIRECT_URI = 'http://127.0.0.1/oauth/callback';

/** What an MCP client application keeps between runs; the "browser" step is done by `authorize`. */
class TestClientApp implements OAuthClientProvider {
  registered: Awaited<ReturnType<NonNullable<OAuthClientProvider['clientInformation']>>>;
  saved: Awaited<ReturnType<OAuthClientProvider['tokens']>>;
  verifier = '';
  discovered: OAuthDiscoveryState | undefined;
  authorizationUrl: URL | undefined;

  get redirectUrl(): string {
    return REDIRECT_URI;
  }
  get clientMetadata() {
    return {
      client_name: 'oauth e2e test',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.registered;
  }
  saveClientInformation(information: NonNullable<TestClientApp['registered']>): void {
    this.registered = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: NonNullable<TestClientApp['saved']>): void {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  // Kept with the code verifier, so the callback is checked against the authorization server it was started with.
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovered = state;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovered;
  }
}

/** A free loopback port: the server's public URL (its OAuth resource) must be known before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let as: AuthorizationServer;
let mcp: HttpServerProcess;
let resource: string;

beforeAll(async () => {
  as = await startAuthorizationServer();
  const port = await freePort();
  resource = `http://127.0.0.1:${port}/mcp`;
  mcp = await startHttpServer({ PORT: String(port), OAUTH_ISSUER: as.issuer, MCP_RESOURCE_URL: resource, OAUTH_SCOPES: 'mcp', LOG_LEVEL: 'debug' });
}, 30_000);

afterAll(async () => {
  await mcp.stop();
  await as.close();
});

/** Connects with the app's tokens; when the server asks for (more) authorization, signs in as `user` and retries once. */
async function connect(app: TestClientApp, user: string): Promise<Client> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: app });
    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    try {
      await client.connect(transport);
      return client;
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || app.authorizationUrl === undefined) throw error;
      await signIn(app, transport, user);
    }
  }
  throw new Error('still unauthorized after signing in');
}

async function signIn(app: TestClientApp, transport: StreamableHTTPClientTransport, user: string): Promise<void> {
  const authorizationUrl = app.authorizationUrl;
  if (authorizationUrl === undefined) throw new Error('the client never asked to authorize');
  app.authorizationUrl = undefined;
  const callback = await authorize(authorizationUrl, REDIRECT_URI, user);
  await transport.finishAuth(callback.searchParams);
}

describe('the SDK client OAuth flow against a real authorization server', () => {
  it('discovers, registers, authorizes with PKCE, calls tools, and steps up for a scoped tool', async () => {
    const app = new TestClientApp();
    const client = await connect(app, 'alice');
    try {
      // Dynamic registration happened, and the authorization request used PKCE and named our resource.
      expect(app.registered?.client_id).toEqual(expect.any(String));
      const accessToken = decodeJwt(app.saved?.access_token ?? '');
      expect(accessToken).toMatchObject({ iss: as.issuer, aud: resource, sub: 'alice' });
      expect(String(accessToken.scope).split(' ')).toContain('mcp');
      expect(String(accessToken.scope).split(' ')).not.toContain('notes:write');

      // The first token has only `mcp`: append_note (notes:write) is not offered.
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('search_notes');
      expect(tools.map((tool) => tool.name)).not.toContain('append_note');
      const search = await client.callTool({ name: 'search_notes', arguments: { query: 'anything' } });
      expect(search.isError).toBeFalsy();

      // Calling it anyway is answered 403 insufficient_scope: the SDK asks for the wider scope.
      await expect(client.callTool({ name: 'append_note', arguments: { note: 'oauth', text: 'hello' } })).rejects.toThrow(UnauthorizedError);
      expect(app.authorizationUrl?.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['mcp', 'notes:write']));
      expect(app.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
      expect(app.authorizationUrl?.searchParams.get('resource')).toBe(resource);
    } finally {
      await client.close();
    }

    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: app });
    await signIn(app, transport, 'alice');
    const stepped = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    await stepped.connect(transport);
    try {
      expect(String(decodeJwt(app.saved?.access_token ?? '').scope).split(' ')).toContain('notes:write');
      const appended = await stepped.callTool({ name: 'append_note', arguments: { note: 'oauth', text: 'hello' } });
      expect(appended.isError).toBeFalsy();
      expect(appended.structuredContent).toEqual({ uri: 'notes://note/oauth', line: 1 });
    } finally {
      await stepped.close();
    }

    // The tool saw who called: the user's subject and the registered client.
    const finished = await waitFor(() => mcp.logs().find((line) => line.msg === 'tool call finished' && line.tool === 'append_note'));
    expect(finished).toMatchObject({ subject: 'alice', clientId: app.registered?.client_id });
  });
});

import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type AuthorizationServer } from '../helpers/authorization-server.js';
import { initializeRequest, openRawStream, rawRequest, waitFor, type RawStream } from '../helpers/http-raw.js';
import { startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';

// With OAuth, the legacy HTTP+SSE endpoints need an access token like /mcp does, and a session
// belongs to whoever opened it: another user's token cannot post into it.

const RESOURCE = 'https://mcp.example.test/mcp';

let as: AuthorizationServer;
let server: TestHttpServer | undefined;
let streams: RawStream[] = [];

beforeAll(async () => {
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as.close();
});
afterEach(async () => {
  for (const stream of streams) stream.destroy();
  streams = [];
  await server?.close();
  server = undefined;
});

/** A valid access token for `subject`, signed with the authorization server's key. */
function tokenFor(subject: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: as.issuer, aud: RESOURCE, sub: subject, client_id: 'legacy-client', scope: 'mcp', exp: now + 300 })
    .setProtectedHeader({ alg: 'ES256', kid: as.publicJwk.kid })
    .sign(as.signingKey);
}

describe('legacy HTTP+SSE with OAuth', () => {
  it('needs a token to open a stream, and binds the session to the token that opened it', async () => {
    server = await startTestHttpServer({ OAUTH_ISSUER: as.issuer, MCP_RESOURCE_URL: RESOURCE, OAUTH_SCOPES: 'mcp' });
    const { url } = server;

    const anonymous = await rawRequest(url, '/sse', { headers: { accept: 'text/event-stream' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer resource_metadata="/);

    const alice = { authorization: `Bearer ${await tokenFor('alice')}` };
    const stream = openRawStream(url, '/sse', { headers: { accept: 'text/event-stream', ...alice } });
    streams.push(stream);
    const endpoint = await waitFor(() => stream.events().find((event) => event.event === 'endpoint')?.data);

    const bob = { authorization: `Bearer ${await tokenFor('bob')}` };
    expect((await rawRequest(url, endpoint, { headers: bob, body: initializeRequest() })).status).toBe(403);
    expect((await rawRequest(url, endpoint, { body: initializeRequest() })).status).toBe(401);
    expect((await rawRequest(url, endpoint, { headers: alice, body: initializeRequest() })).status).toBe(202);
    await waitFor(() => stream.events().some((event) => event.event === 'message' && event.data.includes('"protocolVersion"')));
  });
});

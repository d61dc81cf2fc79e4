import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { admin, e2e } from '../context';
import { CookieJar, logInOverHttp } from '../login-over-http';
import { files, startLocalServer, type LocalServer } from '../local-server';
import { signedInInstance } from '../openid-client-setup';

/**
 * The Model Context Protocol TypeScript SDK, as stock MCP hosts use it: `auth()` with no wrapper discovers this server
 * from an MCP server's protected resource metadata, registers (open registration: no initial access token, no
 * software_id) or uses a Client ID Metadata Document, runs the code flow with PKCE and the RFC 8707 resource, and its
 * access token is accepted by an MCP server built with the same SDK, which checks that the token is for it.
 */

const REDIRECT_URL = 'http://127.0.0.1:33418/callback';
const DOCUMENT_HOST = 'apps.test';

let mcp: { url: URL; server: Server };
let documents: LocalServer;
const served: Parameters<typeof files>[0] = {};

/** An MCP server (the SDK's express app, transport and bearer middleware) whose one tool says who called it. */
async function startMcpServer(): Promise<{ url: URL; server: Server }> {
  const app = createMcpExpressApp();
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  const oauthMetadata = await (await fetch(`${e2e.issuer}/.well-known/oauth-authorization-server`)).json();
  const jwks = createRemoteJWKSet(new URL(oauthMetadata.jwks_uri));
  // The token must be ours, unexpired, and for this server: `aud` is what the client asked for with `resource`. A
  // verifier tells the SDK's middleware of a bad token with InvalidTokenError (401).
  const verifier = {
    async verifyAccessToken(token: string) {
      const { payload } = await jwtVerify(token, jwks, { issuer: e2e.issuer, audience: url.href, typ: 'at+jwt' }).catch((error: Error) => {
        throw new InvalidTokenError(error.message);
      });
      return {
        token,
        clientId: payload.client_id as string,
        scopes: String(payload.scope ?? '')
          .split(' ')
          .filter(Boolean),
        expiresAt: payload.exp!,
        resource: new URL(payload.aud as string),
      };
    },
  };
  app.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: url, resourceName: 'edge-dcr test MCP server' }));
  app.post(
    '/mcp',
    requireBearerAuth({ verifier, expectedResource: url, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(url) }),
    async (req: { body: unknown; auth?: { clientId: string } }, res: unknown) => {
      const mcpServer = new McpServer({ name: 'whoami', version: '1.0.0' });
      mcpServer.registerTool('whoami', { description: 'the client the access token was issued to' }, async (extra) => ({
        content: [{ type: 'text', text: extra.authInfo?.clientId ?? 'nobody' }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      await mcpServer.connect(transport);
      await transport.handleRequest(req as never, res as never, req.body);
    },
  );
  return { url, server };
}

/** An MCP host's OAuth state, kept in memory: what the SDK asks to save, it gets back. */
class HostProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';
  constructor(readonly clientMetadataUrl?: string) {}
  get redirectUrl() {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Test MCP host',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The whole dance: `auth()` redirects, the user signs in and approves, `auth()` exchanges the code. */
async function authorizeHost(provider: HostProvider) {
  expect(await auth(provider, { serverUrl: mcp.url })).toBe('REDIRECT');
  const authorizationUrl = provider.authorizationUrl!;
  expect(authorizationUrl.searchParams.get('resource')).toBe(mcp.url.href);
  expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
  const { callback, sawConsent } = await logInOverHttp(authorizationUrl, e2e.user, new CookieJar(), { approve: true });
  expect(sawConsent).toBe(true);
  expect(await auth(provider, { serverUrl: mcp.url, authorizationCode: callback.searchParams.get('code')! })).toBe('AUTHORIZED');
  return provider.tokens()!;
}

/** What the MCP server's tool answers for a host holding these tokens. */
async function whoami(provider: HostProvider): Promise<string> {
  const client = new Client({ name: 'test-host', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcp.url, { authProvider: provider }));
  try {
    const result = (await client.callTool({ name: 'whoami' })) as { content: { text: string }[] };
    return result.content[0]!.text;
  } finally {
    await client.close();
  }
}

const mcpTemplate = (name: string, registration: Record<string, unknown>) => ({
  name,
  client_name: 'MCP hosts',
  capabilities: ['code', 'refresh'],
  redirect_uris: ['http://127.0.0.1/callback'],
  scopes: ['mcp'],
  token_endpoint_auth_methods: ['none'],
  resources: [mcp.url.href],
  registration,
});

beforeAll(async () => {
  mcp = await startMcpServer();
  documents = await startLocalServer(files(served));
  const open = await admin('POST', '/templates', mcpTemplate(e2e.openTemplate, { mode: 'open' }));
  expect(open.status).toBe(201);
  const byDocument = await admin(
    'POST',
    '/templates',
    mcpTemplate(`mcp-documents-${randomUUID().slice(0, 8)}`, { mode: 'metadata_document', allowed_hosts: [DOCUMENT_HOST] }),
  );
  expect(byDocument.status).toBe(201);
});

afterAll(async () => {
  await new Promise((resolve) => mcp?.server.close(resolve));
  await documents?.close();
});

it('stock auth() registers openly (no IAT, no software_id), gets a token for the MCP server, and the server accepts it', async () => {
  const provider = new HostProvider();
  const tokens = await authorizeHost(provider);
  const clientId = (await provider.clientInformation())!.client_id;
  expect(await whoami(provider)).toBe(clientId);

  // Refresh, as the SDK does it (with the resource again): the new token is for the MCP server too.
  provider.authorizationUrl = undefined;
  expect(await auth(provider, { serverUrl: mcp.url })).toBe('AUTHORIZED');
  expect(provider.authorizationUrl).toBeUndefined();
  expect(provider.tokens()!.access_token).not.toBe(tokens.access_token);
  expect(await whoami(provider)).toBe(clientId);

  const found = await admin('GET', `/templates/${e2e.openTemplate}/instances?q=${encodeURIComponent(clientId)}`);
  const { items: inventory } = (await found.json()) as { items: Record<string, unknown>[] };
  expect(inventory.find((instance) => instance.client_id === clientId)).toMatchObject({ created_by: 'open' });
});

it('stock auth() with a Client ID Metadata Document served from a local server: no registration at all', async () => {
  const clientId = `https://${DOCUMENT_HOST}:${documents.port}/mcp-host.json`;
  served['/mcp-host.json'] = {
    type: 'application/json',
    headers: { 'Cache-Control': 'max-age=300' },
    body: JSON.stringify({ client_id: clientId, ...new HostProvider().clientMetadata, client_name: 'Test MCP host (by document)' }),
  };
  const provider = new HostProvider(clientId);
  await authorizeHost(provider);
  expect((await provider.clientInformation())!.client_id).toBe(clientId);
  expect(await whoami(provider)).toBe(clientId);
});

it('the MCP server refuses a token of this server that is not for it', async () => {
  const { tokens } = await signedInInstance('template-client');
  const res = await fetch(mcp.url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${tokens.access_token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  expect(res.status).toBe(401);
});

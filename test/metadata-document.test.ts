import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { adminCall, editTemplate, expectOAuthError, form, manualClock, testServer, unique } from './helpers';
import { TOKEN, authorizeUrl, browser, createUser, hiddenFields, pkce, redirectParams } from './flow-helpers';
import { fakeWeb } from './support/fake-web';

const HOST = 'apps.example';
const CALLBACK = 'http://127.0.0.1:4567/callback';

const web = fakeWeb();
const clock = manualClock();
const fetch = testServer({ outboundFetch: web.outboundFetch, clock: () => clock.now });

async function metadataTemplate(allowedHosts = [HOST]) {
  const name = unique('mcp-clients');
  const res = await adminCall(fetch, 'POST', '/templates', {
    name,
    client_name: 'MCP clients',
    capabilities: ['code', 'refresh'],
    redirect_uris: ['http://127.0.0.1/callback', `https://${HOST}/cb`],
    scopes: ['openid', 'mcp'],
    token_endpoint_auth_methods: ['none'],
    registration: { mode: 'metadata_document', allowed_hosts: allowedHosts },
  });
  expect(res.status).toBe(201);
  return name;
}

/** A document at a fresh URL on `host`; `edit` changes what it says. */
function publish(
  edit: (doc: Record<string, unknown>, url: string) => Record<string, unknown> = (d) => d,
  host = HOST,
  headers: Record<string, string> = {},
) {
  const url = `https://${host}/${unique('agent')}/client.json`;
  const doc = edit(
    {
      client_id: url,
      client_name: 'Doc Agent',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    url,
  );
  web.pages.set(url, () => Response.json(doc, { headers: { 'Cache-Control': 'max-age=600', ...headers } }));
  return url;
}

async function authorizeRequest(clientId: string) {
  const { challenge, verifier } = await pkce();
  const url = authorizeUrl({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid mcp',
    redirect_uri: CALLBACK,
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return { url, verifier };
}

/** The error page an authorization request for `clientId` ends on: never a redirect. */
async function errorPageFor(clientId: string) {
  const res = await fetch((await authorizeRequest(clientId)).url);
  expect(res.status).toBe(400);
  expect(res.headers.get('Location')).toBeNull();
  return res.text();
}

describe('Client ID Metadata Documents', () => {
  it('discovery announces them', async () => {
    expect(await (await fetch('/.well-known/oauth-authorization-server')).json()).toMatchObject({
      client_id_metadata_document_supported: true,
    });
  });

  it('an https client_id on an allowed host is fetched, validated and runs the flow as a public client of the template, with consent', async () => {
    await metadataTemplate();
    const clientId = publish();
    const user = await createUser(fetch);
    const b = browser(fetch);
    const { url, verifier } = await authorizeRequest(clientId);
    const login = await b.fetch(url);
    expect(login.status).toBe(200);
    const loginPage = await login.text();
    expect(loginPage).toContain('Doc Agent');
    const consent = await b.fetch(
      '/oauth/v2/oauth-authorize',
      form({ ...hiddenFields(loginPage), username: user.username, password: user.password }),
    );
    const consentPage = await consent.text();
    expect(consentPage).toContain('Doc Agent (unverified)');
    const code = redirectParams(
      await b.fetch('/oauth/v2/oauth-authorize', form({ ...hiddenFields(consentPage), consent: 'approve' })),
      CALLBACK,
    ).get('code')!;

    const res = await fetch(
      TOKEN,
      form({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: CALLBACK }),
    );
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; refresh_token: string };
    expect(decodeJwt(tokens.access_token).client_id).toBe(clientId);
    const refreshed = await fetch(TOKEN, form({ grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token }));
    expect(refreshed.status).toBe(200);
    // A public client: a secret is no way in.
    await expectOAuthError(
      await fetch(
        TOKEN,
        form({ grant_type: 'refresh_token', client_id: clientId, client_secret: 'x'.repeat(43), refresh_token: tokens.refresh_token }),
      ),
      401,
      'invalid_client',
    );
  });

  it('a document that lies about its client_id is refused', async () => {
    await metadataTemplate();
    const html = await errorPageFor(publish((doc) => ({ ...doc, client_id: `https://${HOST}/someone-else.json` })));
    expect(html).toContain('invalid_client');
  });

  it('a document listing a redirect URI the template does not allow is refused', async () => {
    await metadataTemplate();
    await errorPageFor(publish((doc) => ({ ...doc, redirect_uris: [CALLBACK, 'https://evil.example/cb'] })));
  });

  it('a document asking for a secret method is refused', async () => {
    await metadataTemplate();
    await errorPageFor(publish((doc) => ({ ...doc, token_endpoint_auth_method: 'client_secret_basic' })));
  });

  it('a host no template allows is an unknown client, never fetched', async () => {
    await metadataTemplate();
    const clientId = publish((doc) => doc, 'elsewhere.example');
    await errorPageFor(clientId);
    expect(web.requests).not.toContain(clientId);
  });

  it('a host the template stops allowing, or a template leaving the mode, stops its clients at the next request', async () => {
    const host = `${unique('own')}.example`;
    const name = await metadataTemplate([host, HOST]);
    const clientId = publish((doc) => doc, host);
    expect((await fetch((await authorizeRequest(clientId)).url)).status).toBe(200);
    await editTemplate(fetch, name, { registration: { mode: 'metadata_document', allowed_hosts: [HOST] } });
    await errorPageFor(clientId);
    await editTemplate(fetch, name, { registration: { mode: 'metadata_document', allowed_hosts: [host] } });
    expect((await fetch((await authorizeRequest(clientId)).url)).status).toBe(200);
    await editTemplate(fetch, name, { registration: { mode: 'open' } });
    await errorPageFor(clientId);
  });

  it('a document that is too large, not JSON, missing or too slow is refused', async () => {
    await metadataTemplate();
    const large = publish((doc) => ({ ...doc, padding: 'x'.repeat(6000) }));
    const notJson = publish();
    web.pages.set(notJson, () => new Response('<html></html>', { headers: { 'Content-Type': 'text/html' } }));
    const slow = publish();
    web.pages.set(slow, () => new Response(null, { status: 599 }));
    for (const clientId of [large, notJson, `https://${HOST}/${unique('missing')}.json`, slow]) await errorPageFor(clientId);
  });

  it('is cached as Cache-Control says, within bounds', async () => {
    await metadataTemplate();
    const fetchesOf = (url: string) => web.requests.filter((r) => r === url).length;
    const tenMinutes = publish();
    const aYear = publish((doc) => doc, HOST, { 'Cache-Control': 'max-age=31536000' });
    for (const url of [tenMinutes, aYear]) await fetch((await authorizeRequest(url)).url);
    clock.advance(300_000);
    for (const url of [tenMinutes, aYear]) await fetch((await authorizeRequest(url)).url);
    expect([fetchesOf(tenMinutes), fetchesOf(aYear)]).toEqual([1, 1]);
    clock.advance(301_000);
    await fetch((await authorizeRequest(tenMinutes)).url);
    expect(fetchesOf(tenMinutes)).toBe(2);
    clock.advance(86_400_000);
    await fetch((await authorizeRequest(aYear)).url);
    expect(fetchesOf(aYear)).toBe(2);
  });

  it.each(['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.1', '[::1]', 'metadata.internal.localhost'])(
    'the admin API refuses %s as an allowed host',
    async (host) => {
      const res = await adminCall(fetch, 'POST', '/templates', {
        name: unique('mcp-clients'),
        capabilities: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_methods: ['none'],
        registration: { mode: 'metadata_document', allowed_hosts: [host] },
      });
      await expectOAuthError(res, 400, 'invalid_request');
    },
  );
});

describe('RP-initiated logout of a metadata-document client', () => {
  it('returns only to a post_logout_redirect_uri its document lists and its template allows', async () => {
    // A host of its own: the first template by name that allows a host is the one its clients belong to.
    const host = `${unique('logout')}.example`;
    const name = await metadataTemplate([host]);
    const [listed, allowedOnly] = [`https://${host}/signed-out`, `https://${host}/also-allowed`];
    await editTemplate(fetch, name, { post_logout_redirect_uris: [listed, allowedOnly] });
    const url = publish((doc) => ({ ...doc, post_logout_redirect_uris: [listed, 'https://elsewhere.example/out'] }), host);
    const logout = (uri: string) =>
      fetch(`/oauth/v2/oauth-session/logout?${new URLSearchParams({ client_id: url, post_logout_redirect_uri: uri, state: 's' })}`);

    const res = await logout(listed);
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`${listed}?state=s`);
    for (const refused of [allowedOnly, 'https://elsewhere.example/out']) {
      const page = await logout(refused);
      expect(page.status).toBe(400);
      expect(page.headers.get('Location')).toBeNull();
      expect(await page.text()).toContain('Reference: <code>invalid_redirect_uri</code>');
    }
  });
});

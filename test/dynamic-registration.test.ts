import { describe, expect, it } from 'vitest';
import {
  adminCall,
  basic,
  expectOAuthError,
  form,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
  type Registrar,
} from './helpers';

const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true', DCR_DYNAMIC_SCOPES: 'openid profile' });

async function openRegistrar(flagged = true): Promise<Registrar> {
  const clientId = unique('registrar');
  const res = await adminCall(fetch, 'POST', '/clients', { client_id: clientId, may_register_clients: flagged });
  return { clientId, secret: ((await res.json()) as { client_secret: string }).client_secret };
}

async function register(metadata: Record<string, unknown>) {
  return registerWith(fetch, await requestIat(fetch, await openRegistrar()), metadata);
}

describe('non-templatized registration (DCR_NON_TEMPLATIZED=true)', () => {
  it('registers full RFC 7591 metadata and echoes it with the defaults applied', async () => {
    const res = await register({ redirect_uris: ['https://app.example/cb'], client_name: 'Plain app' });
    expect(res.status).toBe(201);
    const client = (await res.json()) as Record<string, any>;
    expect(client).toMatchObject({
      client_name: 'Plain app',
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile',
      id_token_signed_response_alg: 'RS256',
      subject_type: 'public',
      client_secret_expires_at: 0,
    });
    expect(client).not.toHaveProperty('software_id');
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(client.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('discovery advertises the none method, this mode on or off (templates and static clients may be public too)', async () => {
    const methods = async (server: typeof fetch) =>
      ((await (await server('/.well-known/oauth-authorization-server')).json()) as { token_endpoint_auth_methods_supported: string[] })
        .token_endpoint_auth_methods_supported;
    const all = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
    expect(await methods(fetch)).toEqual(all);
    expect(await methods(testServer())).toEqual(all);
  });

  it('a public client (token_endpoint_auth_method none) gets no secret and authenticates by client_id alone', async () => {
    const res = await register({
      redirect_uris: ['com.example.app:/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(res.status).toBe(201);
    const client = (await res.json()) as Record<string, any>;
    expect(client).not.toHaveProperty('client_secret');
    expect(client.token_endpoint_auth_method).toBe('none');
    // Authenticated as itself: it is refused the grant, not the authentication.
    await expectOAuthError(
      await fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials', client_id: client.client_id })),
      400,
      'unauthorized_client',
    );
    await expectOAuthError(
      await fetch(
        '/oauth/v2/oauth-token',
        form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'guess-guess-guess-guess-guess-guess' }),
      ),
      401,
      'invalid_client',
    );
  });

  it('a confidential client cannot authenticate without its secret', async () => {
    const client = (await (await register({ grant_types: ['client_credentials'], scope: 'profile' })).json()) as Record<string, string>;
    await expectOAuthError(
      await fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials', client_id: client.client_id! })),
      401,
      'invalid_client',
    );
    const ok = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials' }, { Authorization: basic(client.client_id!, client.client_secret!) }),
    );
    expect(await ok.json()).toMatchObject({ scope: 'profile' });
  });

  it.each([
    ['a fragment', ['https://app.example/cb#x']],
    ['javascript:', ['javascript:alert(1)']],
    ['JavaScript: in mixed case', ['JaVaScRiPt:alert(1)']],
    ['data:', ['data:text/html,hi']],
    ['vbscript:', ['VBSCRIPT:msgbox']],
    ['file:', ['file:///etc/passwd']],
    ['leading whitespace', [' https://app.example/cb']],
    ['a control character', ['https://app.example/c\u0007b']],
    ['http off loopback', ['http://app.example/cb']],
    ['none for the code flow', []],
    ['not strings', [42]],
  ])('redirect URIs with %s -> 400 invalid_redirect_uri', async (_, redirectUris) => {
    await expectOAuthError(await register({ redirect_uris: redirectUris }), 400, 'invalid_redirect_uri');
  });

  it('missing redirect_uris for the code flow -> 400 invalid_redirect_uri', async () => {
    await expectOAuthError(await register({ client_name: 'no uris' }), 400, 'invalid_redirect_uri');
  });

  it.each([
    ['an unknown grant type', { grant_types: ['implicit'] }],
    ['response types without their grant', { grant_types: ['client_credentials'], response_types: ['code'] }],
    ['a grant without its response type', { response_types: [] }],
    ['an unsupported response type', { response_types: ['token'] }],
    ['refresh without the code flow', { grant_types: ['client_credentials', 'refresh_token'] }],
    ['a scope outside the policy', { scope: 'openid admin' }],
    ['an unknown auth method', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['a public client using client_credentials', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }],
    ['an unknown ID token algorithm', { id_token_signed_response_alg: 'HS256' }],
    ['an unknown subject type', { subject_type: 'directed' }],
    [
      'pairwise over several redirect hosts without a sector',
      { subject_type: 'pairwise', redirect_uris: ['https://a.example/cb', 'https://b.example/cb'] },
    ],
    ['a sector_identifier_uri that is not https', { sector_identifier_uri: 'http://app.example/sector.json' }],
    ['an unknown userinfo algorithm', { userinfo_signed_response_alg: 'HS256' }],
    ['a server-assigned field', { client_id: 'mine' }],
  ])('%s -> 400 invalid_client_metadata', async (_, metadata) => {
    await expectOAuthError(await register({ redirect_uris: ['https://app.example/cb'], ...metadata }), 400, 'invalid_client_metadata');
  });

  it('only a registrar flagged may_register_clients may register without a template', async () => {
    const { registrar } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await registerWith(fetch, iat, { redirect_uris: ['https://app.example/cb'] }), 403, 'insufficient_scope');
    const unflagged = await openRegistrar(false);
    await expectOAuthError(
      await fetch(
        '/oauth/v2/oauth-token',
        form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(unflagged.clientId, unflagged.secret) }),
      ),
      400,
      'invalid_scope',
    );
  });

  it('with the mode off, a flagged registrar gets no IAT and a request without software_id is refused', async () => {
    const off = testServer();
    const registrar = await openRegistrar();
    await expectOAuthError(
      await off(
        '/oauth/v2/oauth-token',
        form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
      ),
      400,
      'invalid_scope',
    );
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await registerWith(off, iat, { redirect_uris: ['https://app.example/cb'] }), 400, 'invalid_client_metadata');
  });

  it('RFC 7592 works for dynamic clients: read, replace (token rotates), no public/confidential switch, delete', async () => {
    const client = (await (await register({ redirect_uris: ['https://app.example/cb'] })).json()) as Record<string, any>;
    const path = new URL(client.registration_client_uri).pathname;
    const auth = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
    expect(await (await fetch(path, { headers: auth(client.registration_access_token) })).json()).toMatchObject({
      redirect_uris: ['https://app.example/cb'],
    });

    const put = await fetch(path, {
      method: 'PUT',
      headers: auth(client.registration_access_token),
      body: JSON.stringify({ client_id: client.client_id, redirect_uris: ['https://app.example/other'] }),
    });
    expect(put.status).toBe(200);
    const updated = (await put.json()) as Record<string, any>;
    expect(updated.redirect_uris).toEqual(['https://app.example/other']);

    const toPublic = await fetch(path, {
      method: 'PUT',
      headers: auth(updated.registration_access_token),
      body: JSON.stringify({ client_id: client.client_id, redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' }),
    });
    await expectOAuthError(toPublic, 400, 'invalid_client_metadata');

    expect((await fetch(path, { method: 'DELETE', headers: auth(updated.registration_access_token) })).status).toBe(204);
    await expectOAuthError(await fetch(path, { headers: auth(updated.registration_access_token) }), 401, 'invalid_token');
  });
});

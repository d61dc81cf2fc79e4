import { describe, expect, it } from 'vitest';
import { adminCall, editTemplate, expectOAuthError, form, registerWith, requestIat, setUpTemplate, testServer, unique } from './helpers';
import { TOKEN, authorizeUrl, browser, createUser, hiddenFields, pkce, redirectParams, registerInstance, withPkce } from './flow-helpers';

const fetch = testServer();
const APP = 'com.example.app:/callback';

/** A template whose instances may be public (`none`), and a registration answer for one of them. */
async function publicInstance(template: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  const { registrar, templateName } = await setUpTemplate(fetch, {
    redirect_uris: [APP],
    token_endpoint_auth_methods: ['none'],
    ...template,
  });
  const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName, ...metadata });
  return { res, body: (await res.json()) as Record<string, unknown>, templateName };
}

/** Logs in on the page the authorization URL shows and returns the redirect it ends with. */
async function signIn(params: Record<string, string>) {
  const user = await createUser(fetch);
  const b = browser(fetch);
  const page = await b.fetch(authorizeUrl(params));
  expect(page.status).toBe(200);
  return b.fetch(
    '/oauth/v2/oauth-authorize',
    form({ ...hiddenFields(await page.text()), username: user.username, password: user.password }),
  );
}

/** A user signs in for a public client with PKCE; the code is exchanged by client_id and verifier alone. */
async function publicCodeFlow(clientId: string) {
  const { params, verifier } = await withPkce({ client_id: clientId, response_type: 'code', scope: 'openid' });
  const code = redirectParams(await signIn(params), APP).get('code')!;
  return fetch(TOKEN, form({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier! }));
}

describe('public instances of a template', () => {
  it('a template that allows none gives its instances no secret; they authenticate by client_id with PKCE', async () => {
    const { res, body } = await publicInstance();
    expect(res.status).toBe(201);
    expect(body.client_secret).toBeUndefined();
    expect(body.token_endpoint_auth_method).toBe('none');

    expect((await publicCodeFlow(body.client_id as string)).status).toBe(200);
  });

  it('a template that drops none stops its public instances at once', async () => {
    const { body, templateName } = await publicInstance(
      { token_endpoint_auth_methods: ['client_secret_basic', 'none'] },
      { token_endpoint_auth_method: 'none' },
    );
    await editTemplate(fetch, templateName, { token_endpoint_auth_methods: ['client_secret_basic'] });
    const res = await fetch(
      TOKEN,
      form({ grant_type: 'authorization_code', client_id: body.client_id as string, code: 'x', code_verifier: 'y'.repeat(43) }),
    );
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('a public instance cannot skip PKCE, not even where the template opts out of it', async () => {
    const { body } = await publicInstance({ pkce_required: false });
    const params = redirectParams(
      await fetch(authorizeUrl({ client_id: body.client_id as string, response_type: 'code', scope: 'openid' })),
      APP,
    );
    expect(params.get('error')).toBe('invalid_request');
  });

  it('a public instance may not use client_credentials', async () => {
    const { body } = await publicInstance(
      {
        capabilities: ['code', 'client_credentials'],
        scopes: ['openid', 'read'],
        token_endpoint_auth_methods: ['client_secret_basic', 'none'],
      },
      { token_endpoint_auth_method: 'none' },
    );
    const res = await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: body.client_id as string, scope: 'read' }));
    await expectOAuthError(res, 400, 'unauthorized_client');
  });

  it('an instance of a template with both kinds chooses: none is public, a secret method is confidential', async () => {
    const mixed = { token_endpoint_auth_methods: ['client_secret_basic', 'none'] };
    const confidential = await publicInstance(mixed);
    expect(confidential.body.client_secret).toEqual(expect.any(String));
    expect(confidential.body.token_endpoint_auth_methods).toEqual(['client_secret_basic']);
    const open = await publicInstance(mixed, { token_endpoint_auth_method: 'none' });
    expect(open.body.client_secret).toBeUndefined();
    expect(open.body.token_endpoint_auth_methods).toEqual(['none']);
  });

  it('RFC 7592: a public instance stays public; it cannot switch to a secret method', async () => {
    const { body } = await publicInstance(
      { token_endpoint_auth_methods: ['client_secret_basic', 'none'] },
      { token_endpoint_auth_method: 'none' },
    );
    const manage = (token: string, metadata: Record<string, unknown>) =>
      fetch(body.registration_client_uri as string, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_id: body.client_id, ...metadata }),
      });
    const switched = await manage(body.registration_access_token as string, { token_endpoint_auth_method: 'client_secret_basic' });
    await expectOAuthError(switched, 400, 'invalid_client_metadata');
    const renamed = await manage(body.registration_access_token as string, { client_name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ client_name: 'Renamed', token_endpoint_auth_method: 'none' });
  });
});

describe('public static clients', () => {
  it('a static client with none gets no secret and signs users in with PKCE (the users-mode sign-in client)', async () => {
    const clientId = unique('app-login');
    const created = await adminCall(fetch, 'POST', '/clients', {
      client_id: clientId,
      capabilities: ['code'],
      redirect_uris: [APP],
      scopes: ['openid'],
      token_endpoint_auth_methods: ['none'],
    });
    expect(created.status).toBe(201);
    expect(await created.json()).not.toHaveProperty('client_secret');
    expect((await publicCodeFlow(clientId)).status).toBe(200);
  });
});

describe('PKCE is required by default', () => {
  it('for a confidential instance: without code_challenge the request is refused by redirect', async () => {
    const instance = await registerInstance(fetch);
    const params = redirectParams(
      await fetch(authorizeUrl({ client_id: instance.clientId, response_type: 'code', scope: 'openid', state: 's' })),
    );
    expect({ error: params.get('error'), state: params.get('state') }).toEqual({ error: 'invalid_request', state: 's' });
  });

  it('unless the template opts out (pkce_required: false)', async () => {
    const instance = await registerInstance(fetch, { pkce_required: false });
    const page = await fetch(authorizeUrl({ client_id: instance.clientId, response_type: 'code', scope: 'openid' }));
    expect(page.status).toBe(200);
  });

  it('for a static client too, unless it opts out', async () => {
    const clientIds = [unique('web'), unique('legacy-web')];
    for (const [index, clientId] of clientIds.entries()) {
      const created = await adminCall(fetch, 'POST', '/clients', {
        client_id: clientId,
        capabilities: ['code'],
        redirect_uris: ['https://localhost/callback'],
        scopes: ['openid'],
        ...(index === 1 ? { pkce_required: false } : {}),
      });
      expect(created.status).toBe(201);
    }
    const strict = await fetch(authorizeUrl({ client_id: clientIds[0]!, response_type: 'code', scope: 'openid' }));
    expect(redirectParams(strict).get('error')).toBe('invalid_request');
    const lenient = await fetch(authorizeUrl({ client_id: clientIds[1]!, response_type: 'code', scope: 'openid' }));
    expect(lenient.status).toBe(200);
  });
});

describe('loopback redirect URIs at registration', () => {
  const loopbackTemplate = { redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback', 'http://[::1]/callback'] };

  it('are accepted on any port, by the rule the authorization endpoint uses, and then work on any port', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, loopbackTemplate);
    const chosen = ['http://127.0.0.1:40654/callback', 'http://localhost:8080/callback', 'http://[::1]:5555/callback'];
    const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName, redirect_uris: chosen });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_id: string; redirect_uris: string[] };
    expect(body.redirect_uris).toEqual(chosen);
    const { challenge } = await pkce();
    const page = await fetch(
      authorizeUrl({
        client_id: body.client_id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'http://127.0.0.1:51000/callback',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(page.status).toBe(200);
  });

  it('another path, scheme or host is still refused', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, loopbackTemplate);
    for (const uri of ['http://127.0.0.1:40654/other', 'https://127.0.0.1:40654/callback', 'http://127.0.0.2:40654/callback']) {
      const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName, redirect_uris: [uri] });
      await expectOAuthError(res, 400, 'invalid_redirect_uri');
    }
  });
});

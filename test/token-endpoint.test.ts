import { describe, expect, it } from 'vitest';
import { adminCall, basic, editTemplate, expectOAuthError, form, setUpTemplate, testServer, unique } from './helpers';

const fetch = testServer();
const TOKEN = '/oauth/v2/oauth-token';

async function staticClient(body: Record<string, unknown> = {}) {
  const clientId = unique('svc');
  const res = await adminCall(fetch, 'POST', '/clients', { client_id: clientId, scopes: ['read', 'write'], ...body });
  expect(res.status).toBe(201);
  return { clientId, secret: ((await res.json()) as { client_secret: string }).client_secret };
}

describe('token endpoint client authentication', () => {
  it('no client authentication -> 400 invalid_request', async () => {
    await expectOAuthError(await fetch(TOKEN, form({ grant_type: 'client_credentials' })), 400, 'invalid_request');
  });

  it('an unknown client -> 401 invalid_client with a Basic challenge', async () => {
    const res = await fetch(TOKEN, form({ grant_type: 'client_credentials' }, { Authorization: basic('nobody', 'secret') }));
    await expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
  });

  it('a wrong secret -> 401 invalid_client, by Basic and by post alike', async () => {
    const { clientId, secret } = await staticClient();
    const viaBasic = await fetch(TOKEN, form({ grant_type: 'client_credentials' }, { Authorization: basic(clientId, `${secret}x`) }));
    await expectOAuthError(viaBasic, 401, 'invalid_client');
    expect(viaBasic.headers.get('WWW-Authenticate')).toMatch(/^Basic/);
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'short' })),
      401,
      'invalid_client',
    );
    await expectOAuthError(await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: clientId })), 401, 'invalid_client');
  });

  it('both Basic and client_secret at once -> 400 invalid_request', async () => {
    const { clientId, secret } = await staticClient();
    const res = await fetch(
      TOKEN,
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }, { Authorization: basic(clientId, secret) }),
    );
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('Basic credentials are form-urlencoded before base64 (RFC 6749 2.3.1)', async () => {
    const secret = 'a secret with spaces, colons: and %percent% that is long enough';
    const { clientId } = await staticClient({ client_secret: secret });
    const res = await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'read' }, { Authorization: basic(clientId, secret) }));
    expect(res.status).toBe(200);
  });

  it('a method the client may not use -> 401 invalid_client', async () => {
    const { clientId, secret } = await staticClient({ token_endpoint_auth_methods: ['client_secret_post'] });
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials' }, { Authorization: basic(clientId, secret) })),
      401,
      'invalid_client',
    );
    expect((await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }))).status).toBe(200);
  });

  it('a deleted client -> 401 invalid_client', async () => {
    const { clientId, secret } = await staticClient();
    expect((await adminCall(fetch, 'DELETE', `/clients/${clientId}`)).status).toBe(204);
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret })),
      401,
      'invalid_client',
    );
  });
});

describe('token endpoint requests', () => {
  it('a repeated parameter -> 400 invalid_request', async () => {
    const { clientId, secret } = await staticClient();
    const res = await fetch(TOKEN, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(clientId, secret) },
      body: 'grant_type=client_credentials&scope=read&scope=write',
    });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('a body that is not a form -> 400 invalid_request', async () => {
    const res = await fetch(TOKEN, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('no grant_type -> invalid_request; an unknown one -> unsupported_grant_type', async () => {
    const { clientId, secret } = await staticClient();
    await expectOAuthError(await fetch(TOKEN, form({}, { Authorization: basic(clientId, secret) })), 400, 'invalid_request');
    for (const grantType of ['password', 'urn:ietf:params:oauth:grant-type:device_code', 'toString', '__proto__']) {
      await expectOAuthError(
        await fetch(TOKEN, form({ grant_type: grantType }, { Authorization: basic(clientId, secret) })),
        400,
        'unsupported_grant_type',
      );
    }
  });

  it('a grant the client may not use -> unauthorized_client', async () => {
    const { clientId, secret } = await staticClient({ capabilities: ['code'], redirect_uris: ['https://app.example/cb'] });
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials' }, { Authorization: basic(clientId, secret) })),
      400,
      'unauthorized_client',
    );
  });

  it('scopes: within the client -> granted; beyond it or malformed -> invalid_scope', async () => {
    const { clientId, secret } = await staticClient();
    const auth = { Authorization: basic(clientId, secret) };
    const ok = await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'read' }, auth));
    expect(await ok.json()).toMatchObject({ scope: 'read', token_type: 'bearer', expires_in: 3600 });
    const all = await fetch(TOKEN, form({ grant_type: 'client_credentials' }, auth));
    expect(await all.json()).toMatchObject({ scope: 'read write' });
    await expectOAuthError(await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'read admin' }, auth)), 400, 'invalid_scope');
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'read  write' }, auth)),
      400,
      'invalid_scope',
    );
  });

  it('dcr: only for a client some enabled template allows, and only alone', async () => {
    const { clientId, secret } = await staticClient();
    const auth = { Authorization: basic(clientId, secret) };
    await expectOAuthError(await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'dcr' }, auth)), 400, 'invalid_scope');

    const { registrar, templateName } = await setUpTemplate(fetch);
    const registrarAuth = { Authorization: basic(registrar.clientId, registrar.secret) };
    expect((await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'dcr' }, registrarAuth))).status).toBe(200);
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'dcr read' }, registrarAuth)),
      400,
      'invalid_scope',
    );

    await editTemplate(fetch, templateName, { enabled: false });
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'dcr' }, registrarAuth)),
      400,
      'invalid_scope',
    );
  });
});

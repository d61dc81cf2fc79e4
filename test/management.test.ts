import { describe, expect, it } from 'vitest';
import {
  ORIGIN,
  adminCall,
  adminList,
  basic,
  editTemplate,
  expectOAuthError,
  form,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
} from './helpers';

const fetch = testServer();

async function registered(template: Record<string, unknown> = {}) {
  const { registrar, templateName } = await setUpTemplate(fetch, {
    capabilities: ['client_credentials'],
    redirect_uris: [],
    scopes: ['read'],
    ...template,
  });
  const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
  expect(res.status).toBe(201);
  return { templateName, registrar, instance: (await res.json()) as Record<string, any> };
}

const manage = (uri: string, token: string, init: RequestInit = {}) =>
  fetch(new URL(uri).pathname, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) },
  });
const put = (uri: string, token: string, body: unknown) => manage(uri, token, { method: 'PUT', body: JSON.stringify(body) });

async function expectNoClientData(res: Response) {
  const body = await expectOAuthError(res, 401, 'invalid_token');
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
}

describe('RFC 7592 client configuration endpoint', () => {
  it('registration answers a registration access token and an absolute management URI', async () => {
    const { instance } = await registered();
    expect(instance.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(instance.registration_client_uri).toBe(`${ORIGIN}/oauth/v2/oauth-dynamic-client-registration/${instance.client_id}`);
  });

  it('GET returns the effective metadata, live from the template, without secrets', async () => {
    const { instance, templateName } = await registered();
    const res = await manage(instance.registration_client_uri, instance.registration_access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const { client_secret, client_secret_expires_at, registration_access_token, ...metadata } = instance;
    expect(await res.json()).toEqual(metadata);
    await editTemplate(fetch, templateName, { scopes: ['read', 'write'] });
    expect(await (await manage(instance.registration_client_uri, instance.registration_access_token)).json()).toMatchObject({
      scope: 'read write',
    });
  });

  it('a missing or wrong token -> 401 with no client data; client A’s token on client B -> 401', async () => {
    const a = (await registered()).instance;
    const b = (await registered()).instance;
    await expectNoClientData(await fetch(new URL(a.registration_client_uri).pathname));
    await expectNoClientData(await manage(a.registration_client_uri, 'wrong-token'));
    await expectNoClientData(await manage(b.registration_client_uri, a.registration_access_token));
    await expectNoClientData(await put(b.registration_client_uri, a.registration_access_token, { client_id: b.client_id }));
    await expectNoClientData(await manage(b.registration_client_uri, a.registration_access_token, { method: 'DELETE' }));
    expect((await manage(b.registration_client_uri, b.registration_access_token)).status).toBe(200);
  });

  it('static clients cannot be read, changed or deleted through it', async () => {
    const { registrar } = await setUpTemplate(fetch);
    const uri = `${ORIGIN}/oauth/v2/oauth-dynamic-client-registration/${registrar.clientId}`;
    for (const token of [registrar.secret, 'anything']) {
      await expectNoClientData(await manage(uri, token));
      await expectNoClientData(await put(uri, token, { client_id: registrar.clientId, client_name: 'x' }));
      await expectNoClientData(await manage(uri, token, { method: 'DELETE' }));
    }
    expect((await adminCall(fetch, 'GET', `/clients/${registrar.clientId}`)).status).toBe(200);
  });

  it.each([
    ['registration_access_token', { registration_access_token: 'mine' }],
    ['client_secret_expires_at', { client_secret_expires_at: 0 }],
    ['client_id_issued_at', { client_id_issued_at: 1 }],
    ['a scope beyond the template', { scope: 'read admin' }],
    ['grant types beyond the template', { grant_types: ['client_credentials', 'authorization_code'] }],
    ['a client_secret of its own', { client_secret: 'chosen-by-the-client' }],
    ['another template', { software_id: 'some-other-template' }],
  ])('PUT carrying %s -> 400, nothing changes', async (_, extra) => {
    const { instance } = await registered();
    const res = await put(instance.registration_client_uri, instance.registration_access_token, {
      client_id: instance.client_id,
      client_name: 'changed',
      ...extra,
    });
    await expectOAuthError(res, 400, 'invalid_client_metadata');
    expect(await (await manage(instance.registration_client_uri, instance.registration_access_token)).json()).toMatchObject({
      client_name: instance.client_name,
    });
  });

  it('PUT without client_id -> 400', async () => {
    const { instance } = await registered();
    await expectOAuthError(
      await put(instance.registration_client_uri, instance.registration_access_token, { client_name: 'x' }),
      400,
      'invalid_client_metadata',
    );
  });

  it('PUT changes what the instance may choose and rotates the token', async () => {
    const { instance } = await registered({
      capabilities: ['code'],
      redirect_uris: ['https://localhost/callback', 'myapp://callback'],
      scopes: ['openid'],
    });
    const res = await put(instance.registration_client_uri, instance.registration_access_token, {
      client_id: instance.client_id,
      client_secret: instance.client_secret,
      client_name: 'Renamed',
      redirect_uris: ['myapp://callback'],
      scope: 'openid',
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Record<string, any>;
    expect(updated).toMatchObject({ client_name: 'Renamed', redirect_uris: ['myapp://callback'], client_id: instance.client_id });
    expect(updated.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(updated.registration_access_token).not.toBe(instance.registration_access_token);
    await expectNoClientData(await manage(instance.registration_client_uri, instance.registration_access_token));
    expect(await (await manage(instance.registration_client_uri, updated.registration_access_token)).json()).toMatchObject({
      client_name: 'Renamed',
    });
  });

  it('two concurrent PUTs with one token: exactly one wins', async () => {
    const { instance } = await registered();
    const answers = await Promise.all(
      ['one', 'two', 'three'].map((name) =>
        put(instance.registration_client_uri, instance.registration_access_token, { client_id: instance.client_id, client_name: name }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('DELETE -> 204; afterwards the management URI is 401 and the client id invalid_client', async () => {
    const { instance, templateName } = await registered();
    const tokenRequest = () =>
      fetch(
        '/oauth/v2/oauth-token',
        form({ grant_type: 'client_credentials' }, { Authorization: basic(instance.client_id, instance.client_secret) }),
      );
    expect((await tokenRequest()).status).toBe(200);
    const res = await manage(instance.registration_client_uri, instance.registration_access_token, { method: 'DELETE' });
    expect(res.status).toBe(204);
    await expectNoClientData(await manage(instance.registration_client_uri, instance.registration_access_token));
    await expectOAuthError(await tokenRequest(), 401, 'invalid_client');
    expect(await adminList(fetch, `/templates/${templateName}/instances`)).toEqual([]);
  });

  it('a disabled template shuts its instances out of management too', async () => {
    const { instance, templateName } = await registered();
    await editTemplate(fetch, templateName, { enabled: false });
    await expectNoClientData(await manage(instance.registration_client_uri, instance.registration_access_token));
  });
});

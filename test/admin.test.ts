import { describe, expect, it, vi } from 'vitest';
import {
  ORIGIN,
  adminCall,
  adminList,
  basic,
  expectOAuthError,
  form,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
} from './helpers';

const fetch = testServer();

const template = (overrides: Record<string, unknown> = {}) => ({
  name: unique('tpl'),
  capabilities: ['code'],
  redirect_uris: ['https://localhost/callback'],
  scopes: ['openid'],
  registration: { mode: 'clients', allowed_clients: ['server'] },
  ...overrides,
});

describe('admin authentication', () => {
  it.each([
    ['missing', {}],
    ['wrong', { Authorization: 'Bearer not-the-admin-token' }],
    ['a prefix of the right one', { Authorization: 'Bearer test-admin' }],
  ])('%s token -> 401 invalid_token', async (_, headers) => {
    const res = await fetch('/admin/v1/templates', { headers });
    await expectOAuthError(res, 401, 'invalid_token');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });

  it('an empty ADMIN_TOKEN shuts the admin API, and the answer names it', async () => {
    vi.spyOn(console, 'error').mockImplementationOnce(() => {});
    const shut = testServer({}, { ADMIN_TOKEN: '' });
    const res = await shut('/admin/v1/templates', { headers: { Authorization: 'Bearer ' } });
    expect((await expectOAuthError(res, 500, 'server_error')).error_description).toContain('ADMIN_TOKEN is not set');
  });
});

describe('invalid templates get a 400 naming the problem', () => {
  it.each([
    ['no capabilities', { capabilities: [] }, 'capabilities'],
    ['an unknown capability', { capabilities: ['implicit'] }, 'capabilities.0'],
    ['code without redirect URIs', { redirect_uris: [] }, 'redirect_uris'],
    ['a redirect URI with a fragment', { redirect_uris: ['https://app.example/cb#x'] }, 'redirect_uris.0: must not contain a fragment'],
    ['a javascript: redirect URI', { redirect_uris: ['JavaScript:alert(1)'] }, 'redirect_uris.0'],
    ['http off loopback', { redirect_uris: ['http://app.example/cb'] }, 'redirect_uris.0: http is allowed only for loopback'],
    ['the dcr scope', { scopes: ['openid', 'dcr'] }, 'scopes'],
    ['a scope with a space', { scopes: ['open id'] }, 'scopes.0'],
    ['a bad name', { name: 'has space' }, 'name'],
    ['no registration setting', { registration: undefined }, 'registration'],
    ['no allowed clients', { registration: { mode: 'clients', allowed_clients: [] } }, 'registration.allowed_clients'],
    ['an unknown field', { colour: 'blue' }, 'colour'],
    ['a zero lifetime', { refresh_token_ttl: 0 }, 'refresh_token_ttl'],
    ['refresh without code', { capabilities: ['client_credentials', 'refresh'] }, 'capabilities'],
    ['an unknown ID token algorithm', { id_token_signed_response_alg: 'none' }, 'id_token_signed_response_alg'],
  ])('%s', async (_, overrides, named) => {
    const res = await adminCall(fetch, 'POST', '/templates', template(overrides));
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toContain(named);
  });

  it('a body that is not a JSON object', async () => {
    await expectOAuthError(
      await fetch('/admin/v1/templates', {
        method: 'POST',
        headers: { Authorization: 'Bearer test-admin-token-0123456789abcdef', 'Content-Type': 'application/json' },
        body: '[1]',
      }),
      400,
      'invalid_request',
    );
  });
});

describe('templates', () => {
  it('create, read, list, replace (version bump), delete', async () => {
    const body = template();
    const created = await adminCall(fetch, 'POST', '/templates', body);
    expect(created.status).toBe(201);
    const shown = (await created.json()) as Record<string, unknown>;
    expect(shown).toMatchObject({
      ...body,
      version: 1,
      enabled: true,
      authenticators: ['username-password'],
      token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
      refresh_token_ttl: 3600,
      access_token_ttl: 3600,
      id_token_signed_response_alg: 'RS256',
    });
    await expectOAuthError(await adminCall(fetch, 'POST', '/templates', body), 409, 'conflict');

    expect(await (await adminCall(fetch, 'GET', `/templates/${body.name}`)).json()).toEqual(shown);
    const list = await adminList(fetch, '/templates');
    expect(list.map((t) => t.name)).toContain(body.name);

    const replaced = await adminCall(fetch, 'PUT', `/templates/${body.name}`, { ...body, scopes: ['openid', 'profile'] });
    expect(await replaced.json()).toMatchObject({ scopes: ['openid', 'profile'], version: 2 });
    await expectOAuthError(await adminCall(fetch, 'PUT', `/templates/${body.name}`, { ...body, name: 'other' }), 400, 'invalid_request');
    await expectOAuthError(await adminCall(fetch, 'PUT', '/templates/missing', template({ name: 'missing' })), 404, 'not_found');

    expect((await adminCall(fetch, 'DELETE', `/templates/${body.name}`)).status).toBe(204);
    await expectOAuthError(await adminCall(fetch, 'GET', `/templates/${body.name}`), 404, 'not_found');
    await expectOAuthError(await adminCall(fetch, 'DELETE', `/templates/${body.name}`), 404, 'not_found');
  });

  it('lists its instances with their provenance; deleting one stops it; deleting the template stops all', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, {
      capabilities: ['client_credentials'],
      redirect_uris: [],
      scopes: ['read'],
    });
    const instances = [];
    for (let i = 0; i < 2; i++) {
      instances.push(
        (await (await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName })).json()) as Record<
          string,
          string
        >,
      );
    }
    const listed = await adminList(fetch, `/templates/${templateName}/instances`);
    expect(listed.map((i) => i.client_id).sort()).toEqual(instances.map((i) => i.client_id).sort());
    expect(listed[0]).toMatchObject({ template: templateName, created_by_client: registrar.clientId });
    expect(JSON.stringify(listed)).not.toMatch(/secret/);

    const tokenFor = (i: Record<string, string>) =>
      fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials' }, { Authorization: basic(i.client_id!, i.client_secret!) }));
    expect((await tokenFor(instances[0]!)).status).toBe(200);
    expect((await adminCall(fetch, 'DELETE', `/templates/${templateName}/instances/${instances[0]!.client_id}`)).status).toBe(204);
    await expectOAuthError(await tokenFor(instances[0]!), 401, 'invalid_client');
    expect((await tokenFor(instances[1]!)).status).toBe(200);

    expect((await adminCall(fetch, 'DELETE', `/templates/${templateName}`)).status).toBe(204);
    await expectOAuthError(await tokenFor(instances[1]!), 401, 'invalid_client');
    await expectOAuthError(await adminCall(fetch, 'GET', `/templates/${templateName}/instances`), 404, 'not_found');
  });
});

describe('static clients', () => {
  it('create (secret shown once), read without secret, replace and rotate, delete', async () => {
    const clientId = unique('svc');
    const created = await adminCall(fetch, 'POST', '/clients', { client_id: clientId, scopes: ['read'] });
    expect(created.status).toBe(201);
    const { client_secret } = (await created.json()) as { client_secret: string };
    expect(client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    await expectOAuthError(await adminCall(fetch, 'POST', '/clients', { client_id: clientId }), 409, 'conflict');

    const shown = (await (await adminCall(fetch, 'GET', `/clients/${clientId}`)).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ client_id: clientId, scopes: ['read'], capabilities: ['client_credentials'] });
    expect(JSON.stringify(shown)).not.toMatch(/secret"/);

    const token = (secret: string) =>
      fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }));
    expect((await token(client_secret)).status).toBe(200);
    const rotated = 'a-brand-new-secret-of-sufficient-length-123456';
    expect((await adminCall(fetch, 'PUT', `/clients/${clientId}`, { scopes: ['read', 'write'], client_secret: rotated })).status).toBe(200);
    await expectOAuthError(await token(client_secret), 401, 'invalid_client');
    expect(await (await token(rotated)).json()).toMatchObject({ scope: 'read write' });

    await expectOAuthError(
      await adminCall(fetch, 'POST', '/clients', { client_id: unique('svc'), client_secret: 'too-short' }),
      400,
      'invalid_request',
    );
    expect((await adminCall(fetch, 'DELETE', `/clients/${clientId}`)).status).toBe(204);
    await expectOAuthError(await adminCall(fetch, 'GET', `/clients/${clientId}`), 404, 'not_found');
  });

  it('instances are not static clients: the clients API neither shows nor deletes them', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const { client_id } = (await (await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName })).json()) as {
      client_id: string;
    };
    await expectOAuthError(await adminCall(fetch, 'GET', `/clients/${client_id}`), 404, 'not_found');
    await expectOAuthError(await adminCall(fetch, 'DELETE', `/clients/${client_id}`), 404, 'not_found');
  });
});

describe('settings', () => {
  it('shows the deployment settings from wrangler.toml vars', async () => {
    expect(await (await adminCall(fetch, 'GET', '/settings')).json()).toEqual({
      dcr_enabled: true,
      dcr_templatized: true,
      dcr_non_templatized: false,
      dcr_dynamic_scopes: ['openid'],
      dcr_open_template: null,
      issuer: ORIGIN, // vitest.config.ts sets ISSUER, as a deployment does
      iat_ttl: 300,
      access_token_ttl: 3600,
      client_cache_seconds: 0,
      d1_read_replicas: false,
      ledger_shards: 32,
      access_team_domain: null,
      access_aud: null,
      audit_retention_days: 90,
      login_max_failures: 5,
      login_lockout_seconds: 60,
      login_lockout_max_seconds: 900,
      dpop_nonce_required: true,
      require_par: false,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { adminCall, basic, form, registerWith, requestIat, testServer, unique, expectOAuthError } from './helpers';

const fetch = testServer();

describe('docs/flow.md steps 1 to 3', () => {
  it('admin template, IAT for the registrar, one instance with every documented field', async () => {
    // Step 1: the registrar and the template, through the admin API.
    const serverId = unique('server');
    const serverSecret = 'a-registrar-secret-that-is-long-enough-0123456789';
    expect((await adminCall(fetch, 'POST', '/clients', { client_id: serverId, client_secret: serverSecret })).status).toBe(201);
    const templateName = unique('template-client');
    const template = await adminCall(fetch, 'POST', '/templates', {
      name: templateName,
      capabilities: ['code', 'refresh'],
      redirect_uris: ['https://localhost/callback'],
      scopes: ['openid'],
      authenticators: ['username-password'],
      token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
      registration: { mode: 'clients', allowed_clients: [serverId] },
    });
    expect(template.status).toBe(201);

    // Step 2: the IAT answer is exactly the documented one.
    const tokenRes = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials', client_id: serverId, client_secret: serverSecret, scope: 'dcr' }),
    );
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers.get('Cache-Control')).toBe('no-store');
    const iatAnswer = (await tokenRes.json()) as Record<string, unknown>;
    expect(Object.keys(iatAnswer).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(iatAnswer).toMatchObject({ scope: 'dcr', token_type: 'bearer', expires_in: 300 });

    // Step 3: registration of an instance.
    const before = Math.floor(Date.now() / 1000);
    const reg = await registerWith(fetch, iatAnswer.access_token as string, { software_id: templateName });
    expect(reg.status).toBe(201);
    expect(reg.headers.get('Cache-Control')).toBe('no-store');
    const instance = (await reg.json()) as Record<string, any>;
    expect(instance).toMatchObject({
      client_secret_expires_at: 0,
      client_name: templateName,
      software_id: templateName,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://localhost/callback'],
      scope: 'openid',
      token_endpoint_auth_method: 'client_secret_basic',
      token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
      default_acr_values: ['username-password'],
      subject_type: 'public',
      id_token_signed_response_alg: 'RS256',
      refresh_token_ttl: 3600,
    });
    expect(instance.client_id).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(instance.client_id).not.toBe(templateName);
    // >= 256 bits: 43 base64url characters carry 258 bits.
    expect(instance.client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(instance.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(instance.registration_client_uri).toBe(`https://edge-dcr.test/oauth/v2/oauth-dynamic-client-registration/${instance.client_id}`);
    expect(instance.client_id_issued_at).toBeGreaterThanOrEqual(before);
    expect(instance.client_id_issued_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    // The instance's secret authenticates it: the template has no client_credentials capability, so the
    // authenticated answer is unauthorized_client, while a wrong secret is invalid_client.
    const asInstance = (secret: string) =>
      fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials' }, { Authorization: basic(instance.client_id, secret) }));
    await expectOAuthError(await asInstance(instance.client_secret), 400, 'unauthorized_client');
    await expectOAuthError(await asInstance(`${instance.client_secret}x`), 401, 'invalid_client');
  });

  it('an instance of a client_credentials template gets access tokens with its own secret', async () => {
    const serverId = unique('server');
    const created = (await (await adminCall(fetch, 'POST', '/clients', { client_id: serverId })).json()) as { client_secret: string };
    const templateName = unique('machine');
    await adminCall(fetch, 'POST', '/templates', {
      name: templateName,
      capabilities: ['client_credentials'],
      scopes: ['read'],
      registration: { mode: 'clients', allowed_clients: [serverId] },
    });
    const iat = await requestIat(fetch, { clientId: serverId, secret: created.client_secret });
    const instance = (await (await registerWith(fetch, iat, { software_id: templateName })).json()) as Record<string, string>;
    const res = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials', scope: 'read' }, { Authorization: basic(instance.client_id!, instance.client_secret!) }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'bearer', scope: 'read', expires_in: 3600 });
  });
});

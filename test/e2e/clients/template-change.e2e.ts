import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { REDIRECT_URI, REGISTRAR, admin, e2e } from '../context';
import { authorizationRequest, refusal, registerInstance } from '../openid-client-setup';
import { CookieJar, logInOverHttp } from '../login-over-http';

// Each test has its own template: SPEC's template-client is shared with tests running at the same time.
let templates = 0;
const templateName = (kind: string) => `${kind}-${Date.now().toString(36)}-${templates++}`;

/** SPEC.md step 4 through openid-client for an instance of `template`: its tokens after the user logs in. */
async function signedInInstance(template: { name: string }, scope: string) {
  expect((await admin('POST', '/templates', template)).status).toBe(201);
  const instance = await registerInstance(template.name);
  const { url, checks } = await authorizationRequest(instance, scope);
  const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
  return { instance, tokens: await client.authorizationCodeGrant(instance, callback, checks) };
}

describe('a template change seen by openid-client', () => {
  it('removing openid from the template makes the next client_credentials grant for openid invalid_scope', async () => {
    const template = {
      name: templateName('machine'),
      capabilities: ['client_credentials'],
      scopes: ['openid', 'read'],
      registration: { mode: 'clients', allowed_clients: [REGISTRAR] },
    };
    expect((await admin('POST', '/templates', template)).status).toBe(201);
    const instance = await registerInstance(template.name);
    expect((await client.clientCredentialsGrant(instance, { scope: 'openid' })).scope).toBe('openid');

    expect((await admin('PUT', `/templates/${template.name}`, { ...template, scopes: ['read'] })).status).toBe(200);

    expect(await refusal(client.clientCredentialsGrant(instance, { scope: 'openid' }))).toEqual({ status: 400, error: 'invalid_scope' });
    // The instance itself still works for what the template still allows.
    expect((await client.clientCredentialsGrant(instance, { scope: 'read' })).scope).toBe('read');
  });

  it('SPEC.md step 5: openid removed from the template, the next refresh asking for openid is invalid_scope', async () => {
    const template = {
      name: templateName('app'),
      capabilities: ['code', 'refresh'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid', 'profile'],
      registration: { mode: 'clients', allowed_clients: [REGISTRAR] },
    };
    const { instance, tokens } = await signedInInstance(template, 'openid profile');
    const refreshed = await client.refreshTokenGrant(instance, tokens.refresh_token!, { scope: 'openid' });
    expect(refreshed.scope).toBe('openid');

    expect((await admin('PUT', `/templates/${template.name}`, { ...template, scopes: ['profile'] })).status).toBe(200);

    expect(await refusal(client.refreshTokenGrant(instance, refreshed.refresh_token!, { scope: 'openid' }))).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
  });

  it('SPEC.md step 5: the template deleted, its instance is invalid_client', async () => {
    const template = {
      name: templateName('gone'),
      capabilities: ['code', 'refresh'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid'],
      registration: { mode: 'clients', allowed_clients: [REGISTRAR] },
    };
    const { instance, tokens } = await signedInInstance(template, 'openid');

    expect((await admin('DELETE', `/templates/${template.name}`)).status).toBe(204);

    expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 401, error: 'invalid_client' });
  });
});

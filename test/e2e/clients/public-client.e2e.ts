import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import * as client from 'openid-client';
import { admin, createTemplate, e2e, issuer } from '../context';
import { authorizationRequest, insecure, refusal, registrarConfig } from '../openid-client-setup';
import { CookieJar, logInOverHttp } from '../login-over-http';

const APP_REDIRECT_URI = 'com.example.app:/callback';

/** A static client flagged to register clients without a template (non-templatized DCR), and its IAT. */
async function openRegistrationIat(): Promise<string> {
  const created = await admin('POST', '/clients', { client_id: `registrar-${randomUUID().slice(0, 8)}`, may_register_clients: true });
  expect(created.status).toBe(201);
  const { client_id, client_secret } = (await created.json()) as { client_id: string; client_secret: string };
  const registrar = await client.discovery(issuer, client_id, client_secret, client.ClientSecretBasic(), insecure);
  return (await client.clientCredentialsGrant(registrar, { scope: 'dcr' })).access_token;
}

it('a public app client (auth none, PKCE) registered with full RFC 7591 metadata runs the code flow with openid-client', async () => {
  const app = await client.dynamicClientRegistration(
    issuer,
    {
      client_name: 'Mobile app',
      redirect_uris: [APP_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    },
    client.None(),
    { ...insecure, initialAccessToken: await openRegistrationIat() },
  );
  expect(app.clientMetadata().client_secret).toBeUndefined();

  // PKCE is what protects a public client's code: without it, the authorization endpoint refuses.
  const withoutPkce = client.buildAuthorizationUrl(app, { redirect_uri: APP_REDIRECT_URI, scope: 'openid', state: 'no-pkce' });
  const refused = await logInOverHttp(withoutPkce, e2e.user, new CookieJar());
  expect(refused.callback.searchParams.get('error')).toBe('invalid_request');

  const { url, checks } = await authorizationRequest(app, 'openid', APP_REDIRECT_URI);
  const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
  const tokens = await client.authorizationCodeGrant(app, callback, checks);
  expect(tokens.claims()!.aud).toBe(app.clientMetadata().client_id);

  const refreshed = await client.refreshTokenGrant(app, tokens.refresh_token!);
  expect(await refusal(client.refreshTokenGrant(app, tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });
  expect(refreshed.access_token).toBeTruthy();
});

it('a public instance of a template (the template allows none) registers with an IAT and runs the code flow with openid-client', async () => {
  const template = await createTemplate('public-app', {
    capabilities: ['code', 'refresh'],
    redirect_uris: [APP_REDIRECT_URI],
    scopes: ['openid'],
    token_endpoint_auth_methods: ['none'],
  });
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  const app = await client.dynamicClientRegistration(
    issuer,
    { software_id: template.name, token_endpoint_auth_method: 'none' },
    client.None(),
    {
      ...insecure,
      initialAccessToken: iat.access_token,
    },
  );
  expect(app.clientMetadata()).toMatchObject({ token_endpoint_auth_method: 'none', software_id: template.name });
  expect(app.clientMetadata().client_secret).toBeUndefined();

  const { url, checks } = await authorizationRequest(app, 'openid', APP_REDIRECT_URI);
  const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
  const tokens = await client.authorizationCodeGrant(app, callback, checks);
  expect(tokens.claims()!.aud).toBe(app.clientMetadata().client_id);
  const refreshed = await client.refreshTokenGrant(app, tokens.refresh_token!);
  expect((await client.fetchUserInfo(app, refreshed.access_token, tokens.claims()!.sub)).sub).toBe(tokens.claims()!.sub);
});

import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import * as client from 'openid-client';
import { REDIRECT_URI, admin, createTemplate, e2e, issuer } from '../context';
import { authorizationRequest, insecure } from '../openid-client-setup';
import { CookieJar, logInOverHttp } from '../login-over-http';

it('a user-authenticated registration: the user signs in through app-login for "openid dcr", and that token registers once', async () => {
  const loginClientId = `app-login-${randomUUID().slice(0, 8)}`;
  const created = await admin('POST', '/clients', {
    client_id: loginClientId,
    capabilities: ['code'],
    redirect_uris: [REDIRECT_URI],
    scopes: ['openid'],
  });
  expect(created.status).toBe(201);
  const { client_secret } = (await created.json()) as { client_secret: string };
  const template = await createTemplate('user-app', {
    capabilities: ['code'],
    redirect_uris: [REDIRECT_URI],
    scopes: ['openid'],
    registration: { mode: 'users', via_clients: [loginClientId] },
  });

  const loginApp = await client.discovery(issuer, loginClientId, client_secret, client.ClientSecretBasic(), insecure);
  const { url, checks } = await authorizationRequest(loginApp, 'openid dcr');
  const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
  const signedIn = await client.authorizationCodeGrant(loginApp, callback, checks);
  expect(signedIn.scope?.split(' ').sort()).toEqual(['dcr', 'openid']);

  const register = () =>
    client.dynamicClientRegistration(issuer, { software_id: template.name }, client.ClientSecretBasic(), {
      ...insecure,
      initialAccessToken: signedIn.access_token,
    });
  const instance = await register();
  await expect(register()).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_token' } }] });

  // The inventory records who registered it.
  const { items: inventory } = (await (await admin('GET', `/templates/${template.name}/instances`)).json()) as {
    items: Array<Record<string, unknown>>;
  };
  expect(inventory).toEqual([
    expect.objectContaining({
      client_id: instance.clientMetadata().client_id,
      created_by_client: loginClientId,
      created_by_user: signedIn.claims()!.sub,
    }),
  ]);
});

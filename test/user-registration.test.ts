import { describe, expect, it } from 'vitest';
import {
  adminCall,
  adminList,
  basic,
  countInstances,
  editTemplate,
  expectOAuthError,
  form,
  registerWith,
  testServer,
  unique,
} from './helpers';
import { CALLBACK, browser, type TestUser, logIn, redirectParams, userIatOf, userRegistrationSetUp, type Instance } from './flow-helpers';

const fetch = testServer();
const userRegistration = () => userRegistrationSetUp(fetch);
const userIat = (loginClient: Instance, user: TestUser) => userIatOf(fetch, loginClient, user);

const askForDcr = (clientId: string) =>
  browser(fetch).fetch(
    `/oauth/v2/oauth-authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid dcr', redirect_uri: CALLBACK, state: 's' })}`,
  );

describe('registration by users (template registration mode "users")', () => {
  it('a user logged in through the designated client gets an IAT and registers one instance', async () => {
    const { loginClient, templateName, user } = await userRegistration();
    const tokens = await userIat(loginClient, user);
    expect(tokens).toMatchObject({ scope: 'openid dcr', expires_in: 300 });

    const res = await registerWith(fetch, tokens.access_token, { software_id: templateName });
    expect(res.status).toBe(201);
    const { client_id } = (await res.json()) as { client_id: string };
    const [entry] = await adminList(fetch, `/templates/${templateName}/instances`);
    expect(entry).toMatchObject({ client_id, created_by_client: loginClient.clientId, created_by_user: user.sub });

    await expectOAuthError(await registerWith(fetch, tokens.access_token, { software_id: templateName }), 401, 'invalid_token');
    expect(await countInstances(templateName)).toBe(1);
  });

  it('the designated client cannot get an IAT for itself by client_credentials', async () => {
    const { loginClient } = await userRegistration();
    const res = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(loginClient.clientId, loginClient.secret) }),
    );
    await expectOAuthError(res, 400, 'invalid_scope');
  });

  it('other clients cannot ask for dcr in the code flow', async () => {
    const otherId = unique('other-app');
    await adminCall(fetch, 'POST', '/clients', {
      client_id: otherId,
      capabilities: ['code'],
      redirect_uris: [CALLBACK],
      scopes: ['openid'],
    });
    expect(redirectParams(await askForDcr(otherId)).get('error')).toBe('invalid_scope');
  });

  it('a user token does not register instances of a template that registers via clients', async () => {
    const { loginClient, user } = await userRegistration();
    const clientsTemplate = unique('clients-mode');
    await adminCall(fetch, 'POST', '/templates', {
      name: clientsTemplate,
      capabilities: ['client_credentials'],
      registration: { mode: 'clients', allowed_clients: [loginClient.clientId] },
    });
    const tokens = await userIat(loginClient, user);
    await expectOAuthError(await registerWith(fetch, tokens.access_token, { software_id: clientsTemplate }), 403, 'insufficient_scope');
  });

  it('a disabled user-mode template takes dcr away from its login client at once', async () => {
    const { loginClient, templateName, user } = await userRegistration();
    const before = await logIn(
      browser(fetch),
      { client_id: loginClient.clientId, response_type: 'code', scope: 'openid dcr', redirect_uri: CALLBACK },
      user,
    );
    expect(redirectParams(before).get('code')).toBeTruthy();
    await editTemplate(fetch, templateName, { enabled: false });
    expect(redirectParams(await askForDcr(loginClient.clientId)).get('error')).toBe('invalid_scope');
  });
});

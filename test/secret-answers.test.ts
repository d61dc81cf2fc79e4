import { describe, expect, it } from 'vitest';
import {
  adminCall,
  basic,
  countInstances,
  expectOAuthError,
  form,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
} from './helpers';
import { CALLBACK, authorizationCode, createUser, exchangeCode, refresh, registerInstance, userRegistrationSetUp } from './flow-helpers';

/**
 * Issue 11, items 11 and 12: every answer that carries a secret or a token is `Cache-Control: no-store`, and
 * registration needs the `dcr` scope itself, whatever else would let the token's client register.
 */
const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });
const noStore = (res: Response) => expect({ status: res.status, cacheControl: res.headers.get('Cache-Control') });

describe('answers carrying secrets or tokens are never stored (item 12)', () => {
  it('the token endpoint: client_credentials, code exchange, refresh', async () => {
    const machine = await registerInstance(fetch, { capabilities: ['client_credentials'], redirect_uris: [], scopes: ['read'] });
    const cc = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials' }, { Authorization: basic(machine.clientId, machine.secret) }),
    );
    noStore(cc).toEqual({ status: 200, cacheControl: 'no-store' });

    const app = await registerInstance(fetch);
    const exchanged = await exchangeCode(fetch, app, await authorizationCode(fetch, app, await createUser(fetch)));
    noStore(exchanged).toEqual({ status: 200, cacheControl: 'no-store' });
    const refreshed = await refresh(fetch, app, ((await exchanged.json()) as { refresh_token: string }).refresh_token);
    noStore(refreshed).toEqual({ status: 200, cacheControl: 'no-store' });
  });

  it('templatized and non-templatized registration, and RFC 7592 read and update', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const instance = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
    noStore(instance).toEqual({ status: 201, cacheControl: 'no-store' });

    const registrarId = unique('registrar');
    const created = await adminCall(fetch, 'POST', '/clients', { client_id: registrarId, may_register_clients: true });
    const { client_secret } = (await created.json()) as { client_secret: string };
    const dynamic = await registerWith(fetch, await requestIat(fetch, { clientId: registrarId, secret: client_secret }), {
      redirect_uris: [CALLBACK],
    });
    noStore(dynamic).toEqual({ status: 201, cacheControl: 'no-store' });

    const { client_id, registration_client_uri, registration_access_token } = (await dynamic.json()) as Record<string, string>;
    const manage = (init: RequestInit) =>
      fetch(new URL(registration_client_uri!).pathname, {
        ...init,
        headers: { Authorization: `Bearer ${registration_access_token}`, 'Content-Type': 'application/json' },
      });
    noStore(await manage({ method: 'GET' })).toEqual({ status: 200, cacheControl: 'no-store' });
    noStore(await manage({ method: 'PUT', body: JSON.stringify({ client_id, redirect_uris: [CALLBACK] }) })).toEqual({
      status: 200,
      cacheControl: 'no-store',
    });
  });
});

describe('registration needs the dcr scope itself (item 11)', () => {
  it("the allowed registrar's own plain client_credentials token: 403 insufficient_scope, nothing made", async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const plain = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
    );
    const { access_token, scope } = (await plain.json()) as { access_token: string; scope?: string };
    expect(scope ?? '').not.toContain('dcr');
    await expectOAuthError(await registerWith(fetch, access_token, { software_id: templateName }), 403, 'insufficient_scope');
    expect(await countInstances(templateName)).toBe(0);
  });

  it('a users-mode sign-in token without dcr: 403 insufficient_scope, nothing made', async () => {
    const { loginClient, templateName, user } = await userRegistrationSetUp(fetch);
    const code = await authorizationCode(fetch, loginClient, user, { scope: 'openid' });
    const tokens = (await (await exchangeCode(fetch, loginClient, code, { redirect_uri: CALLBACK })).json()) as {
      access_token: string;
      scope: string;
    };
    expect(tokens.scope).toBe('openid');
    await expectOAuthError(await registerWith(fetch, tokens.access_token, { software_id: templateName }), 403, 'insufficient_scope');
    expect(await countInstances(templateName)).toBe(0);
  });
});

import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { adminCall, form, json, testServer } from './helpers';
import {
  USERINFO,
  authorizationCode,
  authorizeUrl,
  browser,
  codeRequest,
  createUser,
  exchangeCode,
  hiddenFields,
  logIn,
  redirectParams,
  refresh,
  registerInstance,
  type Instance,
  type TestUser,
  createOpenTemplate,
} from './flow-helpers';

const fetch = testServer();

const CLAIMS = { name: 'Ada Lovelace', given_name: 'Ada', email: 'ada@example.com', email_verified: true };

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

async function signedIn(claims: unknown, scope = 'openid', template: Record<string, unknown> = {}) {
  const instance = await registerInstance(fetch, { scopes: ['openid', 'profile', 'email'], ...template });
  const user = await createUser(fetch, CLAIMS);
  const code = await authorizationCode(fetch, instance, user, { scope, claims: JSON.stringify(claims) });
  const res = await exchangeCode(fetch, instance, code);
  expect(res.status).toBe(200);
  return { instance, user, tokens: (await res.json()) as Tokens };
}

const userinfoOf = async (token: string) =>
  (await fetch(USERINFO, { headers: { Authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;

describe('the claims parameter (OpenID Connect Core 5.5)', () => {
  it('releases the standard claims it names in the member asked for: email in userinfo without the email scope, name in the ID token', async () => {
    const { user, tokens } = await signedIn({ userinfo: { email: null, shoe_size: null }, id_token: { name: null } });
    expect(await userinfoOf(tokens.access_token)).toEqual({ sub: user.sub, email: CLAIMS.email });
    const idToken = decodeJwt(tokens.id_token);
    expect(idToken.name).toBe(CLAIMS.name);
    expect(idToken.email).toBeUndefined();
    expect(idToken.shoe_size).toBeUndefined();
  });

  it('adds to what the scopes release, and an essential claim the user lacks is simply absent', async () => {
    const { user, tokens } = await signedIn(
      { userinfo: { email_verified: { essential: true }, phone_number: { essential: true } } },
      'openid profile',
    );
    expect(await userinfoOf(tokens.access_token)).toEqual({ sub: user.sub, name: CLAIMS.name, given_name: 'Ada', email_verified: true });
  });

  it('is kept by the grant: a refresh’s ID token carries the claims again (as they are now), and userinfo still releases them', async () => {
    const { instance, user, tokens } = await signedIn({ userinfo: { email: null }, id_token: { given_name: null } });
    const current = (await (await adminCall(fetch, 'GET', `/users/${user.username}`)).json()) as Record<string, unknown>;
    const put = await adminCall(fetch, 'PUT', `/users/${user.username}`, { ...current, claims: { ...CLAIMS, given_name: 'Augusta' } });
    expect(put.status).toBe(200);
    const res = await refresh(fetch, instance, tokens.refresh_token);
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as Tokens;
    expect(decodeJwt(refreshed.id_token).given_name).toBe('Augusta');
    expect(await userinfoOf(refreshed.access_token)).toEqual({ sub: user.sub, email: CLAIMS.email });
  });

  it('without it nothing beyond the scopes is released, and the ID token has no user claims', async () => {
    const instance = await registerInstance(fetch, { scopes: ['openid', 'email'] });
    const user = await createUser(fetch, CLAIMS);
    const tokens = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).json()) as Tokens;
    expect(await userinfoOf(tokens.access_token)).toEqual({ sub: user.sub });
    expect(decodeJwt(tokens.id_token).name).toBeUndefined();
  });

  it.each([
    ['not JSON', '{userinfo'],
    ['not an object', '["email"]'],
    ['a member that is not an object', '{"userinfo": ["email"]}'],
    ['a claim that is neither null nor an object', '{"id_token": {"name": true}}'],
    ['essential that is not a boolean', '{"userinfo": {"email": {"essential": "yes"}}}'],
    ['values that are not an array', '{"id_token": {"acr": {"values": "username-password"}}}'],
    ['acr values that are not strings', '{"id_token": {"acr": {"values": [1]}}}'],
  ])('malformed (%s): invalid_request back at the redirect URI, with state', async (_, claims) => {
    const instance = await registerInstance(fetch);
    const params = redirectParams(await fetch(authorizeUrl(codeRequest(instance, { claims }))));
    expect({ error: params.get('error'), state: params.get('state') }).toEqual({ error: 'invalid_request', state: 'the-state' });
    expect(params.get('error_description')).toMatch(/claims/);
  });
});

describe('acr and amr', () => {
  it('the ID token says acr and amr (RFC 8176: a password)', async () => {
    const { tokens } = await signedIn({ id_token: { acr: { essential: true, values: ['username-password'] } } });
    expect(decodeJwt(tokens.id_token)).toMatchObject({ acr: 'username-password', amr: ['pwd'] });
  });

  it('an essential acr no authenticator meets is a failed authentication: access_denied', async () => {
    const instance = await registerInstance(fetch);
    const claims = JSON.stringify({ id_token: { acr: { essential: true, value: 'hardware-key' } } });
    const params = redirectParams(await fetch(authorizeUrl(codeRequest(instance, { claims }))));
    expect({ error: params.get('error'), state: params.get('state') }).toEqual({ error: 'access_denied', state: 'the-state' });
  });

  it('a voluntary acr no authenticator meets is not: the user signs in as usual', async () => {
    const { tokens } = await signedIn({ id_token: { acr: { values: ['hardware-key'] } } });
    expect(decodeJwt(tokens.id_token).acr).toBe('username-password');
  });
});

describe('consent for claims asked for by name', () => {
  async function openInstance(): Promise<Instance> {
    const name = await createOpenTemplate(fetch, { scopes: ['openid', 'profile'] });
    const res = await fetch(
      '/oauth/v2/oauth-dynamic-client-registration',
      json({ software_id: name }, { 'CF-Connecting-IP': '192.0.2.77' }),
    );
    expect(res.status).toBe(201);
    return { clientId: ((await res.json()) as { client_id: string }).client_id, secret: '', templateName: name } as Instance;
  }

  const ask = (b: ReturnType<typeof browser>, instance: Instance, user: TestUser, claims: unknown) =>
    logIn(b, codeRequest(instance, { scope: 'openid profile', claims: JSON.stringify(claims) }), user);

  it('an unverified client’s consent page lists the claims beyond its scopes; approval is remembered with them', async () => {
    const instance = await openInstance();
    const user = await createUser(fetch, CLAIMS);
    const b = browser(fetch);
    const page = await (await ask(b, instance, user, { userinfo: { email: null, name: null } })).text();
    expect(page).toContain('see your <code>email</code>');
    // name comes with profile, which the page lists already.
    expect(page).not.toContain('<code>name</code>');
    redirectParams(await b.fetch('/oauth/v2/oauth-authorize', form({ ...hiddenFields(page), consent: 'approve' })));

    // The same claims again: approved. Another claim: asked again.
    const again = await b.fetch(authorizeUrl(codeRequest(instance, { scope: 'openid profile', claims: '{"userinfo":{"email":null}}' })));
    expect(again.status).toBe(302);
    const more = await b.fetch(
      authorizeUrl(codeRequest(instance, { scope: 'openid profile', claims: '{"id_token":{"email_verified":null}}' })),
    );
    expect(more.status).toBe(200);
    expect(await more.text()).toContain('see your <code>email_verified</code>');
  });
});

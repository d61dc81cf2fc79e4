import { describe, expect, it } from 'vitest';
import { adminCall, basic, editTemplate, expectOAuthError, form, manualClock, testServer, unique } from './helpers';
import { authorizationCode, createUser, exchangeCode, refresh, registerInstance, USERINFO, type Instance } from './flow-helpers';

const clock = manualClock();
const fetch = testServer({ clock: () => clock.now });
const INTROSPECT = '/oauth/v2/oauth-introspect';
const REVOKE = '/oauth/v2/oauth-revoke';

const as = (instance: Pick<Instance, 'clientId' | 'secret'>) => ({ Authorization: basic(instance.clientId, instance.secret) });
const introspect = async (caller: Pick<Instance, 'clientId' | 'secret'>, token: string) => {
  const res = await fetch(INTROSPECT, form({ token }, as(caller)));
  expect(res.status).toBe(200);
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  return (await res.json()) as Record<string, unknown>;
};
const revoke = (caller: Pick<Instance, 'clientId' | 'secret'>, token: string, hint?: string) =>
  fetch(REVOKE, form({ token, ...(hint ? { token_type_hint: hint } : {}) }, as(caller)));

/** An instance that has run the code flow: its access, refresh and ID tokens. */
async function signedIn() {
  const instance = await registerInstance(fetch);
  const user = await createUser(fetch);
  const tokens = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).json()) as Record<
    string,
    string
  >;
  return { instance, user, accessToken: tokens.access_token!, refreshToken: tokens.refresh_token! };
}

describe('introspection (RFC 7662)', () => {
  it('an active access token and refresh token of the caller', async () => {
    const { instance, user, accessToken, refreshToken } = await signedIn();
    expect(await introspect(instance, accessToken)).toMatchObject({
      active: true,
      token_type: 'Bearer',
      client_id: instance.clientId,
      sub: user.sub,
      scope: 'openid',
      exp: Math.floor(clock.now / 1000) + 3600,
    });
    expect(await introspect(instance, refreshToken)).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: instance.clientId,
      sub: user.sub,
      scope: 'openid',
    });
  });

  it('an expired access token is inactive', async () => {
    const { instance, accessToken } = await signedIn();
    clock.advance(3600 * 1000);
    expect(await introspect(instance, accessToken)).toEqual({ active: false });
  });

  it('a revoked token is inactive, and so is every token of its grant', async () => {
    const { instance, accessToken, refreshToken } = await signedIn();
    expect((await revoke(instance, refreshToken, 'refresh_token')).status).toBe(200);
    expect(await introspect(instance, refreshToken)).toEqual({ active: false });
    expect(await introspect(instance, accessToken)).toEqual({ active: false });
  });

  it('a rotated refresh token is inactive; a forged secret on a real family is inactive and harmless', async () => {
    const { instance, refreshToken } = await signedIn();
    const next = ((await (await refresh(fetch, instance, refreshToken)).json()) as { refresh_token: string }).refresh_token;
    const forged = `${next.slice(0, -43)}${'A'.repeat(43)}`;
    expect(await introspect(instance, forged)).toEqual({ active: false });
    expect(await introspect(instance, next)).toMatchObject({ active: true });
    expect(await introspect(instance, refreshToken)).toEqual({ active: false });
  });

  it('another client’s token is inactive for the caller, but visible to a designated resource server', async () => {
    const { accessToken } = await signedIn();
    const { instance: other } = await signedIn();
    expect(await introspect(other, accessToken)).toEqual({ active: false });
    const rsId = unique('api');
    const { client_secret } = (await (await adminCall(fetch, 'POST', '/clients', { client_id: rsId, resource_server: true })).json()) as {
      client_secret: string;
    };
    expect(await introspect({ clientId: rsId, secret: client_secret }, accessToken)).toMatchObject({ active: true });
  });

  it('garbage is inactive; scopes the template dropped since issue are not reported', async () => {
    const { instance, accessToken } = await signedIn();
    expect(await introspect(instance, 'not-a-token')).toEqual({ active: false });
    await editTemplate(fetch, instance.templateName, { scopes: ['profile'] });
    expect(await introspect(instance, accessToken)).toMatchObject({ active: true, scope: '' });
  });

  it('requires client authentication and a token parameter', async () => {
    const { instance, accessToken } = await signedIn();
    await expectOAuthError(await fetch(INTROSPECT, form({ token: accessToken })), 400, 'invalid_request');
    await expectOAuthError(
      await fetch(INTROSPECT, form({ token: accessToken }, { Authorization: basic(instance.clientId, 'wrong') })),
      401,
      'invalid_client',
    );
    await expectOAuthError(await fetch(INTROSPECT, form({}, as(instance))), 400, 'invalid_request');
  });
});

describe('revocation (RFC 7009)', () => {
  it('revoking an access token of the code flow revokes its grant: userinfo and refresh stop', async () => {
    const { instance, accessToken, refreshToken } = await signedIn();
    expect((await revoke(instance, accessToken)).status).toBe(200);
    await expectOAuthError(await fetch(USERINFO, { headers: { Authorization: `Bearer ${accessToken}` } }), 401, 'invalid_token');
    await expectOAuthError(await refresh(fetch, instance, refreshToken), 400, 'invalid_grant');
  });

  it('revokes a client_credentials access token', async () => {
    const machine = await registerInstance(fetch, { capabilities: ['client_credentials'], redirect_uris: [], scopes: ['read'] });
    const { access_token } = (await (
      await fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials' }, as(machine)))
    ).json()) as { access_token: string };
    expect(await introspect(machine, access_token)).toMatchObject({ active: true, scope: 'read' });
    expect((await revoke(machine, access_token)).status).toBe(200);
    expect(await introspect(machine, access_token)).toEqual({ active: false });
  });

  it('an unknown or invalid token answers 200 (RFC 7009 2.2)', async () => {
    const { instance } = await signedIn();
    expect((await revoke(instance, 'never-issued')).status).toBe(200);
  });

  it('another client’s token is refused and stays valid', async () => {
    const { instance, refreshToken } = await signedIn();
    const { instance: other } = await signedIn();
    await expectOAuthError(await revoke(other, refreshToken), 400, 'unauthorized_client');
    expect(await introspect(instance, refreshToken)).toMatchObject({ active: true });
  });

  it('requires client authentication', async () => {
    const { refreshToken } = await signedIn();
    await expectOAuthError(await fetch(REVOKE, form({ token: refreshToken })), 400, 'invalid_request');
  });
});

import { describe, expect, it } from 'vitest';
import { adminCall, basic, editTemplate, expectOAuthError, form, manualClock, testServer, type Fetch } from './helpers';
import {
  TOKEN,
  USERINFO,
  authorizationCode,
  createUser,
  exchangeCode,
  registerInstance,
  serverWithUnreachableLedger,
} from './flow-helpers';

const fetch = testServer();

const CLAIMS = {
  name: 'Ada Lovelace',
  given_name: 'Ada',
  email: 'ada@example.com',
  email_verified: true,
  phone_number: '+44 20 0000 0000',
  address: { country: 'UK' },
};

async function accessToken(f: Fetch, scope: string, template: Record<string, unknown> = {}) {
  const instance = await registerInstance(f, { scopes: ['openid', 'profile', 'email', 'phone', 'address'], ...template });
  const user = await createUser(f, CLAIMS);
  const tokens = (await (await exchangeCode(f, instance, await authorizationCode(f, instance, user, { scope }))).json()) as {
    access_token: string;
  };
  return { instance, user, token: tokens.access_token };
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('userinfo', () => {
  it('answers sub and the claims the scopes release, by GET and by POST', async () => {
    const { user, token } = await accessToken(fetch, 'openid profile email');
    const sub = ((await (await adminCall(fetch, 'GET', `/users/${user.username}`)).json()) as { sub: string }).sub;
    const get = await fetch(USERINFO, bearer(token));
    expect(get.status).toBe(200);
    expect(get.headers.get('Cache-Control')).toBe('no-store');
    const expected = { sub, name: 'Ada Lovelace', given_name: 'Ada', email: 'ada@example.com', email_verified: true };
    expect(await get.json()).toEqual(expected);
    const post = await fetch(USERINFO, { method: 'POST', ...bearer(token) });
    expect(await post.json()).toEqual(expected);
  });

  it('openid alone releases only sub; phone and address have their own scopes', async () => {
    const { user, token } = await accessToken(fetch, 'openid');
    expect(await (await fetch(USERINFO, bearer(token))).json()).toEqual({ sub: user.sub });
    const other = await accessToken(fetch, 'openid phone address');
    expect(await (await fetch(USERINFO, bearer(other.token))).json()).toEqual({
      sub: other.user.sub,
      phone_number: CLAIMS.phone_number,
      address: CLAIMS.address,
    });
  });

  it('shows claims as they are now', async () => {
    const { user, token } = await accessToken(fetch, 'openid profile');
    await adminCall(fetch, 'PUT', `/users/${user.username}`, { claims: { name: 'Ada King' } });
    expect(await (await fetch(USERINFO, bearer(token))).json()).toEqual({ sub: user.sub, name: 'Ada King' });
  });

  it('RFC 6750 and RFC 9449 7.2: no token -> 401 with bare Bearer and DPoP challenges; a bad token -> 401 invalid_token', async () => {
    const none = await fetch(USERINFO);
    await expectOAuthError(none, 401, 'invalid_token');
    expect(none.headers.get('WWW-Authenticate')).toBe(
      'Bearer realm="edge-dcr", DPoP realm="edge-dcr", algs="ES256 EdDSA Ed25519 PS256 RS256"',
    );
    const bad = await fetch(USERINFO, bearer('not.a.token'));
    await expectOAuthError(bad, 401, 'invalid_token');
    expect(bad.headers.get('WWW-Authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    const { token } = await accessToken(fetch, 'openid');
    // Only the header carries the token: not the query, not the body.
    await expectOAuthError(await fetch(`${USERINFO}?access_token=${token}`), 401, 'invalid_token');
    await expectOAuthError(await fetch(USERINFO, form({ access_token: token })), 401, 'invalid_token');
    await expectOAuthError(await fetch(USERINFO, bearer(`${token}x`)), 401, 'invalid_token');
  });

  it('other methods -> 405 with Allow', async () => {
    const res = await fetch(USERINFO, { method: 'PUT' });
    await expectOAuthError(res, 405, 'invalid_request');
    expect(res.headers.get('Allow')).toBe('GET, POST');
  });

  it('a token without openid -> 403 insufficient_scope', async () => {
    const { token } = await accessToken(fetch, 'profile');
    const res = await fetch(USERINFO, bearer(token));
    await expectOAuthError(res, 403, 'insufficient_scope');
    expect(res.headers.get('WWW-Authenticate')).toContain('scope="openid"');
    // A client_credentials token names no user.
    const machine = await registerInstance(fetch, { capabilities: ['client_credentials'], scopes: ['read'] });
    const cc = await fetch(
      TOKEN,
      form({ grant_type: 'client_credentials', scope: 'read' }, { Authorization: basic(machine.clientId, machine.secret) }),
    );
    await expectOAuthError(
      await fetch(USERINFO, bearer(((await cc.json()) as { access_token: string }).access_token)),
      403,
      'insufficient_scope',
    );
  });

  it('an expired token -> 401 invalid_token', async () => {
    const clock = manualClock();
    const timed = testServer({ clock: () => clock.now });
    const { token } = await accessToken(timed, 'openid', { access_token_ttl: 60 });
    expect((await timed(USERINFO, bearer(token))).status).toBe(200);
    clock.advance(60_000);
    await expectOAuthError(await timed(USERINFO, bearer(token)), 401, 'invalid_token');
  });

  it('live template linkage: openid dropped -> insufficient_scope; template disabled -> invalid_token', async () => {
    const { instance, token } = await accessToken(fetch, 'openid profile');
    await editTemplate(fetch, instance.templateName, { scopes: ['profile'] });
    await expectOAuthError(await fetch(USERINFO, bearer(token)), 403, 'insufficient_scope');
    await editTemplate(fetch, instance.templateName, { scopes: ['openid', 'profile'], enabled: false });
    await expectOAuthError(await fetch(USERINFO, bearer(token)), 401, 'invalid_token');
  });

  it('a deleted user -> invalid_token', async () => {
    const { user, token } = await accessToken(fetch, 'openid');
    await adminCall(fetch, 'DELETE', `/users/${user.username}`);
    await expectOAuthError(await fetch(USERINFO, bearer(token)), 401, 'invalid_token');
  });

  it('an unreachable ledger fails closed with 503', async () => {
    const { token } = await accessToken(fetch, 'openid');
    const broken = serverWithUnreachableLedger('grantStatus');
    await expectOAuthError(await broken(USERINFO, bearer(token)), 503, 'temporarily_unavailable');
  });
});

import { describe, expect, it } from 'vitest';
import { adminCall, editTemplate, expectOAuthError, manualClock, testServer, type Fetch } from './helpers';
import {
  USERINFO,
  authorizationCode,
  createUser,
  exchangeCode,
  refresh,
  registerInstance,
  type Instance,
  serverWithUnreachableLedger,
} from './flow-helpers';

const fetch = testServer();

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
  id_token?: string;
}

async function loggedIn(f: Fetch = fetch, template: Record<string, unknown> = {}, scope = 'openid') {
  const instance = await registerInstance(f, template);
  const user = await createUser(f);
  const res = await exchangeCode(f, instance, await authorizationCode(f, instance, user, { scope }));
  expect(res.status).toBe(200);
  return { instance, user, tokens: (await res.json()) as Tokens };
}

async function refreshed(f: Fetch, instance: Instance, token: string, extra: Record<string, string> = {}): Promise<Tokens> {
  const res = await refresh(f, instance, token, extra);
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

const userinfoStatus = async (accessToken: string) =>
  (await fetch(USERINFO, { headers: { Authorization: `Bearer ${accessToken}` } })).status;

describe('refresh_token grant', () => {
  it('rotates on every use; a replayed rotated token -> invalid_grant and the whole family is revoked', async () => {
    const { instance, tokens } = await loggedIn();
    const second = await refreshed(fetch, instance, tokens.refresh_token);
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    expect(second.refresh_token.split('.')[0]).toBe(tokens.refresh_token.split('.')[0]);
    const third = await refreshed(fetch, instance, second.refresh_token);
    expect(await userinfoStatus(third.access_token)).toBe(200);

    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token), 400, 'invalid_grant');
    // The replay revoked the family: the newest refresh token and the access tokens die with it.
    await expectOAuthError(await refresh(fetch, instance, third.refresh_token), 400, 'invalid_grant');
    expect(await userinfoStatus(third.access_token)).toBe(401);
    expect(await userinfoStatus(tokens.access_token)).toBe(401);
  });

  it('two concurrent uses of one refresh token -> exactly one success', async () => {
    const { instance, tokens } = await loggedIn();
    const answers = await Promise.all([refresh(fetch, instance, tokens.refresh_token), refresh(fetch, instance, tokens.refresh_token)]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 400]);
    await expectOAuthError(answers.find((res) => res.status === 400)!, 400, 'invalid_grant');
  });

  it('many concurrent uses -> exactly one success', async () => {
    const { instance, tokens } = await loggedIn();
    const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(fetch, instance, tokens.refresh_token)));
    expect(answers.filter((res) => res.status === 200)).toHaveLength(1);
    for (const res of answers.filter((r) => r.status !== 200)) await expectOAuthError(res, 400, 'invalid_grant');
  });

  it('scope may narrow, never widen; narrowing does not shrink the grant', async () => {
    const { instance, tokens } = await loggedIn(fetch, { scopes: ['openid', 'profile', 'email'] }, 'openid profile');
    const narrow = await refreshed(fetch, instance, tokens.refresh_token, { scope: 'profile' });
    expect(narrow.scope).toBe('profile');
    expect(narrow.id_token).toBeUndefined();
    await expectOAuthError(await refresh(fetch, instance, narrow.refresh_token, { scope: 'openid email' }), 400, 'invalid_scope');
    // The refused request left the token usable, and the full grant is still there.
    const full = await refreshed(fetch, instance, narrow.refresh_token);
    expect(full.scope).toBe('openid profile');
    expect(full.id_token).toBeTruthy();
  });

  it("another client's refresh token -> invalid_grant, and its owner keeps it", async () => {
    const { instance, tokens } = await loggedIn();
    const other = await registerInstance(fetch);
    await expectOAuthError(await refresh(fetch, other, tokens.refresh_token), 400, 'invalid_grant');
    expect((await refresh(fetch, instance, tokens.refresh_token)).status).toBe(200);
  });

  it('malformed, unknown and missing refresh tokens -> invalid_grant / invalid_request', async () => {
    const { instance, tokens } = await loggedIn();
    await expectOAuthError(await refresh(fetch, instance, 'garbage'), 400, 'invalid_grant');
    await expectOAuthError(
      await refresh(fetch, instance, `enam-0-${'A'.repeat(22)}.${'S'.repeat(22)}.${'B'.repeat(43)}`),
      400,
      'invalid_grant',
    );
    // A guessed secret for a real grant is no replay: it was never issued, so it changes nothing.
    await expectOAuthError(await refresh(fetch, instance, `${tokens.refresh_token.slice(0, -43)}${'B'.repeat(43)}`), 400, 'invalid_grant');
    expect((await refresh(fetch, instance, tokens.refresh_token)).status).toBe(200);
    await expectOAuthError(await refresh(fetch, instance, ''), 400, 'invalid_request');
  });

  it("lifetime is the template's refresh_token_ttl, renewed by each rotation", async () => {
    const clock = manualClock();
    const timed = testServer({ clock: () => clock.now });
    const { instance, tokens } = await loggedIn(timed, { refresh_token_ttl: 120 });
    clock.advance(119_000);
    const next = await refreshed(timed, instance, tokens.refresh_token);
    clock.advance(119_000);
    const last = await refreshed(timed, instance, next.refresh_token);
    clock.advance(120_000);
    await expectOAuthError(await refresh(timed, instance, last.refresh_token), 400, 'invalid_grant');
  });

  it('the default lifetime is 3600 s', async () => {
    const clock = manualClock();
    const timed = testServer({ clock: () => clock.now });
    const { instance, tokens } = await loggedIn(timed);
    const [a, b] = [tokens.refresh_token, (await refreshed(timed, instance, tokens.refresh_token)).refresh_token];
    expect(a).not.toBe(b);
    clock.advance(3_599_000);
    const c = await refreshed(timed, instance, b);
    clock.advance(3_600_000);
    await expectOAuthError(await refresh(timed, instance, c.refresh_token), 400, 'invalid_grant');
  });

  it('re-checked against the template as it is now: refresh capability removed -> unauthorized_client', async () => {
    const { instance, tokens } = await loggedIn();
    await editTemplate(fetch, instance.templateName, { capabilities: ['code'] });
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token), 400, 'unauthorized_client');
  });

  it('template disabled or deleted -> invalid_client', async () => {
    const { instance, tokens } = await loggedIn();
    await editTemplate(fetch, instance.templateName, { enabled: false });
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token), 401, 'invalid_client');
    await adminCall(fetch, 'DELETE', `/templates/${instance.templateName}`);
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token), 401, 'invalid_client');
  });

  it('a deleted user -> invalid_grant', async () => {
    const { instance, user, tokens } = await loggedIn();
    await adminCall(fetch, 'DELETE', `/users/${user.username}`);
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token), 400, 'invalid_grant');
  });

  it('an unreachable ledger fails closed with 503', async () => {
    const { instance, tokens } = await loggedIn();
    const broken = serverWithUnreachableLedger('rotateRefreshToken');
    await expectOAuthError(await refresh(broken, instance, tokens.refresh_token), 503, 'temporarily_unavailable');
    expect((await refresh(fetch, instance, tokens.refresh_token)).status).toBe(200);
  });
});

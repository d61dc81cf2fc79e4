import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { basic, editTemplate, expectOAuthError, form, manualClock, testServer } from './helpers';
import {
  CALLBACK,
  CODE_SHAPE,
  TOKEN,
  USERINFO,
  authorizationCode,
  createUser,
  exchangeCode,
  pkce,
  refresh,
  registerInstance,
  serverWithUnreachableLedger,
} from './flow-helpers';

const fetch = testServer();

async function setUp(template: Record<string, unknown> = {}) {
  return { instance: await registerInstance(fetch, template), user: await createUser(fetch) };
}

const userinfoWith = (accessToken: string) => fetch(USERINFO, { headers: { Authorization: `Bearer ${accessToken}` } });

describe('authorization_code grant', () => {
  it('answers access, refresh and ID tokens; without openid no ID token; without refresh capability no refresh token', async () => {
    const { instance, user } = await setUp({ scopes: ['openid', 'profile'] });
    const full = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(full).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    const profileOnly = await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, { scope: 'profile' }));
    expect(Object.keys(await profileOnly.json()).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);

    const noRefresh = await registerInstance(fetch, { capabilities: ['code'] });
    const res = await exchangeCode(fetch, noRefresh, await authorizationCode(fetch, noRefresh, user));
    expect(Object.keys(await res.json()).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);
  });

  it('a reused code -> invalid_grant, and the tokens it issued are revoked', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    const first = (await (await exchangeCode(fetch, instance, code)).json()) as Record<string, string>;
    expect((await userinfoWith(first.access_token!)).status).toBe(200);
    await expectOAuthError(await exchangeCode(fetch, instance, code), 400, 'invalid_grant');
    await expectOAuthError(await userinfoWith(first.access_token!), 401, 'invalid_token');
    await expectOAuthError(await refresh(fetch, instance, first.refresh_token!), 400, 'invalid_grant');
  });

  it('a reused code without refresh capability still revokes its access token', async () => {
    const { instance, user } = await setUp({ capabilities: ['code'] });
    const code = await authorizationCode(fetch, instance, user);
    const first = (await (await exchangeCode(fetch, instance, code)).json()) as Record<string, string>;
    await expectOAuthError(await exchangeCode(fetch, instance, code), 400, 'invalid_grant');
    await expectOAuthError(await userinfoWith(first.access_token!), 401, 'invalid_token');
  });

  it('N parallel exchanges of one code: exactly one success, and what it issued is revoked by the others', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    const answers = await Promise.all(Array.from({ length: 8 }, () => exchangeCode(fetch, instance, code)));
    const ok = answers.filter((res) => res.status === 200);
    expect(ok).toHaveLength(1);
    for (const res of answers.filter((r) => r.status !== 200)) await expectOAuthError(res, 400, 'invalid_grant');
    const tokens = (await ok[0]!.json()) as Record<string, string>;
    await expectOAuthError(await userinfoWith(tokens.access_token!), 401, 'invalid_token');
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token!), 400, 'invalid_grant');
  });

  it('a failed client authentication does not burn the code', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    await expectOAuthError(await exchangeCode(fetch, { ...instance, secret: `${instance.secret}x` }, code), 401, 'invalid_client');
    await expectOAuthError(await fetch(TOKEN, form({ grant_type: 'authorization_code', code })), 400, 'invalid_request');
    expect((await exchangeCode(fetch, instance, code)).status).toBe(200);
  });

  it("another client's code -> invalid_grant", async () => {
    const { instance, user } = await setUp();
    const other = await registerInstance(fetch);
    const code = await authorizationCode(fetch, instance, user);
    await expectOAuthError(await exchangeCode(fetch, other, code), 400, 'invalid_grant');
  });

  it('redirect_uri binding: repeated when given, identical; may be omitted when the request omitted it', async () => {
    const { instance, user } = await setUp();
    const given = { redirect_uri: CALLBACK };
    await expectOAuthError(
      await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, given)),
      400,
      'invalid_request',
    );
    const wrong = { redirect_uri: 'https://localhost/other' };
    await expectOAuthError(
      await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, given), wrong),
      400,
      'invalid_grant',
    );
    expect((await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, given), given)).status).toBe(200);
    expect((await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).status).toBe(200);
    expect((await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user), given)).status).toBe(200);
    await expectOAuthError(
      await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user), wrong),
      400,
      'invalid_grant',
    );
  });

  it('a loopback code is bound to the exact port used', async () => {
    const user = await createUser(fetch);
    const app = await registerInstance(fetch, { redirect_uris: ['http://127.0.0.1/cb'] });
    const used = { redirect_uri: 'http://127.0.0.1:50123/cb' };
    const code = await authorizationCode(fetch, app, user, used);
    await expectOAuthError(await exchangeCode(fetch, app, code, { redirect_uri: 'http://127.0.0.1:50124/cb' }), 400, 'invalid_grant');
    expect((await exchangeCode(fetch, app, await authorizationCode(fetch, app, user, used), used)).status).toBe(200);
  });

  it('codes expire after 60 s, decided on the injected clock', async () => {
    const clock = manualClock();
    const timed = testServer({ clock: () => clock.now });
    const instance = await registerInstance(timed);
    const user = await createUser(timed);
    const [a, b] = [await authorizationCode(timed, instance, user), await authorizationCode(timed, instance, user)];
    clock.advance(59_999);
    expect((await exchangeCode(timed, instance, a)).status).toBe(200);
    clock.advance(1);
    await expectOAuthError(await exchangeCode(timed, instance, b), 400, 'invalid_grant');
  });

  it('unknown and malformed codes -> invalid_grant; a missing code -> invalid_request', async () => {
    const { instance } = await setUp();
    await expectOAuthError(await exchangeCode(fetch, instance, 'A'.repeat(43)), 400, 'invalid_grant');
    await expectOAuthError(await exchangeCode(fetch, instance, 'not a code'), 400, 'invalid_grant');
    await expectOAuthError(
      await fetch(TOKEN, form({ grant_type: 'authorization_code' }, { Authorization: basic(instance.clientId, instance.secret) })),
      400,
      'invalid_request',
    );
  });

  it('codes carry at least 256 bits and are stored nowhere but hashed in the ledger', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    expect(code).toMatch(CODE_SHAPE);
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
    for (const { name } of tables.results.filter((t) => !t.name.startsWith('_') && !t.name.startsWith('sqlite'))) {
      const dump = JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
      expect(dump).not.toContain(code);
    }
  });

  it('a forged secret on a real code grant is invalid_grant and does not burn the code', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    const forged = `${code.slice(0, -43)}${'A'.repeat(43)}`;
    await expectOAuthError(await exchangeCode(fetch, instance, forged), 400, 'invalid_grant');
    expect((await exchangeCode(fetch, instance, code)).status).toBe(200);
  });

  it('a client without the code capability -> unauthorized_client', async () => {
    const machine = await registerInstance(fetch, { capabilities: ['client_credentials'] });
    await expectOAuthError(await exchangeCode(fetch, machine, 'A'.repeat(43)), 400, 'unauthorized_client');
  });

  it('a scope the template dropped after the login -> invalid_scope', async () => {
    const { instance, user } = await setUp({ scopes: ['openid', 'profile'] });
    const code = await authorizationCode(fetch, instance, user, { scope: 'openid profile' });
    await editTemplate(fetch, instance.templateName, { scopes: ['openid'] });
    await expectOAuthError(await exchangeCode(fetch, instance, code), 400, 'invalid_scope');
  });

  it('a disabled template -> invalid_client at the token endpoint; re-enabled, the unspent code works', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    await editTemplate(fetch, instance.templateName, { enabled: false });
    await expectOAuthError(await exchangeCode(fetch, instance, code), 401, 'invalid_client');
    await editTemplate(fetch, instance.templateName, { enabled: true });
    expect((await exchangeCode(fetch, instance, code)).status).toBe(200);
  });

  it('duplicate parameters -> invalid_request', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    const res = await fetch(TOKEN, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(instance.clientId, instance.secret) },
      body: `grant_type=authorization_code&code=${code}&code=${code}`,
    });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('an unreachable ledger fails closed with 503', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    const broken = serverWithUnreachableLedger('redeemCode');
    await expectOAuthError(await exchangeCode(broken, instance, code), 503, 'temporarily_unavailable');
  });
});

describe('PKCE at the token endpoint', () => {
  it('missing or wrong verifier -> invalid_grant', async () => {
    const { instance, user } = await setUp();
    const { verifier, challenge } = await pkce();
    const withChallenge = { code_challenge: challenge, code_challenge_method: 'S256' };
    await expectOAuthError(
      await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, withChallenge)),
      400,
      'invalid_grant',
    );
    const other = (await pkce()).verifier;
    await expectOAuthError(
      await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, withChallenge), { code_verifier: other }),
      400,
      'invalid_grant',
    );
    const ok = await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, withChallenge), {
      code_verifier: verifier,
    });
    expect(ok.status).toBe(200);
  });

  it('a malformed verifier -> invalid_request, and the code is not spent', async () => {
    const { instance, user } = await setUp();
    const { verifier, challenge } = await pkce();
    const code = await authorizationCode(fetch, instance, user, { code_challenge: challenge, code_challenge_method: 'S256' });
    for (const bad of ['short', 'a'.repeat(129), `${'a'.repeat(43)} `, `${'a'.repeat(42)}/`]) {
      await expectOAuthError(await exchangeCode(fetch, instance, code, { code_verifier: bad }), 400, 'invalid_request');
    }
    expect((await exchangeCode(fetch, instance, code, { code_verifier: verifier })).status).toBe(200);
  });

  it('a verifier for a code that had no challenge is rejected', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user);
    await expectOAuthError(await exchangeCode(fetch, instance, code, { code_verifier: (await pkce()).verifier }), 400, 'invalid_grant');
  });
});

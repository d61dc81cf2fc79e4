import { env, listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { basic, countInstances, expectOAuthError, form, registerWith, requestIat, setUpTemplate, testServer } from './helpers';
import {
  CALLBACK,
  USERINFO,
  authorizationCode,
  createUser,
  exchangeCode,
  pkce,
  refresh,
  registerInstance,
  userIatOf,
  userRegistrationSetUp,
  type Instance,
} from './flow-helpers';

/** Issue 11, items 1, 3 and 4: what an outside attacker could do with one-time tokens and grant ids. */
const fetch = testServer();
const REVOKE = '/oauth/v2/oauth-revoke';
const INTROSPECT = '/oauth/v2/oauth-introspect';
const as = (client: Pick<Instance, 'clientId' | 'secret'>) => ({ Authorization: basic(client.clientId, client.secret) });
const userinfoWith = (accessToken: string) => fetch(USERINFO, { headers: { Authorization: `Bearer ${accessToken}` } });

async function signedIn(template: Record<string, unknown> = {}) {
  const instance = await registerInstance(fetch, template);
  const user = await createUser(fetch);
  return { instance, user };
}

/** Rows in every ledger object there is: what presenting a token left behind. */
async function ledgerRows(): Promise<{ objects: number; rows: number }> {
  const ids = await listDurableObjectIds(env.LEDGER);
  let rows = 0;
  for (const id of ids) {
    rows += await runInDurableObject(env.LEDGER.get(id), (_, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
        .toArray();
      return tables.reduce((n, { name }) => n + state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name}"`).one().n, 0);
    });
  }
  return { objects: ids.length, rows };
}

describe('a revoked or otherwise dead token does not register (issue 11, item 1)', () => {
  it('an IAT revoked at the revocation endpoint is refused at registration, and no client is made', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    expect((await fetch(REVOKE, form({ token: iat }, as(registrar)))).status).toBe(200);
    expect(await (await fetch(INTROSPECT, form({ token: iat }, as(registrar)))).json()).toEqual({ active: false });
    await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName }), 401, 'invalid_token');
    expect(await countInstances(templateName)).toBe(0);
  });

  it("users mode: after the user's grant is revoked, its access token does not register", async () => {
    const { loginClient, templateName, user } = await userRegistrationSetUp(fetch);
    const tokens = await userIatOf(fetch, loginClient, user);
    expect((await fetch(REVOKE, form({ token: tokens.refresh_token! }, as(loginClient)))).status).toBe(200);
    await expectOAuthError(await userinfoWith(tokens.access_token), 401, 'invalid_token');
    await expectOAuthError(await registerWith(fetch, tokens.access_token, { software_id: templateName }), 401, 'invalid_token');
    expect(await countInstances(templateName)).toBe(0);
  });
});

describe('a failed code redemption spends nothing (issue 11, item 3)', () => {
  it("another client redeeming A's fresh code is refused, and A still redeems it", async () => {
    const { instance, user } = await signedIn();
    const other = await registerInstance(fetch);
    const code = await authorizationCode(fetch, instance, user);
    await expectOAuthError(await exchangeCode(fetch, other, code), 400, 'invalid_grant');
    const res = await exchangeCode(fetch, instance, code);
    expect(res.status).toBe(200);
    expect((await userinfoWith(((await res.json()) as { access_token: string }).access_token)).status).toBe(200);
  });

  it('a wrong code_verifier is refused, and the right one then works', async () => {
    const { instance, user } = await signedIn();
    const { verifier, challenge } = await pkce();
    const code = await authorizationCode(fetch, instance, user, { code_challenge: challenge, code_challenge_method: 'S256' });
    await expectOAuthError(await exchangeCode(fetch, instance, code, { code_verifier: (await pkce()).verifier }), 400, 'invalid_grant');
    expect((await exchangeCode(fetch, instance, code, { code_verifier: verifier })).status).toBe(200);
  });

  it('a wrong redirect_uri is refused, and the right one then works', async () => {
    const { instance, user } = await signedIn({ redirect_uris: [CALLBACK, 'https://localhost/other'] });
    const code = await authorizationCode(fetch, instance, user, { redirect_uri: CALLBACK });
    await expectOAuthError(await exchangeCode(fetch, instance, code, { redirect_uri: 'https://localhost/other' }), 400, 'invalid_grant');
    expect((await exchangeCode(fetch, instance, code, { redirect_uri: CALLBACK })).status).toBe(200);
  });

  it("another client replaying A's used code does not revoke A's tokens", async () => {
    const { instance, user } = await signedIn();
    const other = await registerInstance(fetch);
    const code = await authorizationCode(fetch, instance, user);
    const tokens = (await (await exchangeCode(fetch, instance, code)).json()) as Record<string, string>;
    await expectOAuthError(await exchangeCode(fetch, other, code), 400, 'invalid_grant');
    expect((await userinfoWith(tokens.access_token!)).status).toBe(200);
    expect((await refresh(fetch, instance, tokens.refresh_token!)).status).toBe(200);
  });
});

describe('a grant id is not a revocation handle (issue 11, item 4)', () => {
  async function grant() {
    const { instance, user } = await signedIn();
    const code = await authorizationCode(fetch, instance, user);
    const tokens = (await (await exchangeCode(fetch, instance, code)).json()) as Record<string, string>;
    return { instance, tokens };
  }

  it('a forged secret on a real grant id is invalid_grant and changes nothing', async () => {
    const { instance, tokens } = await grant();
    const forged = `${tokens.refresh_token!.slice(0, -43)}${'A'.repeat(43)}`;
    await expectOAuthError(await refresh(fetch, instance, forged), 400, 'invalid_grant');
    expect((await userinfoWith(tokens.access_token!)).status).toBe(200);
    expect((await refresh(fetch, instance, tokens.refresh_token!)).status).toBe(200);
  });

  it('the authorization code presented as a refresh token does not revoke the grant', async () => {
    const { instance, user } = await signedIn();
    const code = await authorizationCode(fetch, instance, user);
    const tokens = (await (await exchangeCode(fetch, instance, code)).json()) as Record<string, string>;
    await expectOAuthError(await refresh(fetch, instance, code), 400, 'invalid_grant');
    expect((await refresh(fetch, instance, tokens.refresh_token!)).status).toBe(200);
  });

  it('a rotated-out token replayed still revokes the family', async () => {
    const { instance, tokens } = await grant();
    const next = (await (await refresh(fetch, instance, tokens.refresh_token!)).json()) as Record<string, string>;
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token!), 400, 'invalid_grant');
    await expectOAuthError(await refresh(fetch, instance, next.refresh_token!), 400, 'invalid_grant');
  });

  it('tokens that were never issued create no ledger state', async () => {
    const { instance, tokens } = await grant();
    const [grantId] = tokens.refresh_token!.split('.');
    // Same shape as real ones, naming grants that do not exist.
    const unknownGrant = `${grantId!.slice(0, -22)}${'Q'.repeat(22)}`;
    const before = await ledgerRows();
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token!.replace(grantId!, unknownGrant)), 400, 'invalid_grant');
    await expectOAuthError(await exchangeCode(fetch, instance, `${unknownGrant}.${'C'.repeat(43)}`), 400, 'invalid_grant');
    expect((await fetch(REVOKE, form({ token: tokens.refresh_token!.replace(grantId!, unknownGrant) }, as(instance)))).status).toBe(200);
    expect(await ledgerRows()).toEqual(before);
  });
});

describe('one sign-in gives at most one registration (issue 11, item 2)', () => {
  it('a refresh never grants dcr again, so its access token does not register', async () => {
    const { loginClient, templateName, user } = await userRegistrationSetUp(fetch);
    const tokens = await userIatOf(fetch, loginClient, user);
    expect(tokens.scope).toBe('openid dcr');
    expect((await registerWith(fetch, tokens.access_token, { software_id: templateName })).status).toBe(201);

    const refreshed = await refresh(fetch, loginClient, tokens.refresh_token!);
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as { access_token: string; scope: string; refresh_token: string };
    expect(next.scope).toBe('openid');
    await expectOAuthError(await registerWith(fetch, next.access_token, { software_id: templateName }), 403, 'insufficient_scope');
    await expectOAuthError(await refresh(fetch, loginClient, next.refresh_token, { scope: 'openid dcr' }), 400, 'invalid_scope');
    expect(await countInstances(templateName)).toBe(1);
  });
});

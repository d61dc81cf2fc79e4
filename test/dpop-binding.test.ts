import { describe, expect, it } from 'vitest';
import { adminCall, basic, expectOAuthError, registerWith, requestIat, setUpTemplate, testServer, unique } from './helpers';
import {
  authorizationCode,
  authorizeUrl,
  browser,
  codeRequest,
  createUser,
  pkce,
  redirectParams,
  registerInstance,
  type Instance,
  type TestUser,
} from './flow-helpers';
import {
  REGISTRATION_URL,
  TOKEN_URL,
  USERINFO_URL,
  claimsOf,
  currentNonce,
  dpopKey,
  proof,
  type DPoPKey,
  type ProofFields,
} from './support/dpop';

/**
 * What DPoP binds (RFC 9449 5, 7, 10): access tokens to the key of the token request's proof, codes to `dpop_jkt`,
 * public clients' refresh tokens to the key of the code exchange; and what a bound token needs at userinfo and at
 * registration. Every refusal leaves the code, refresh token or IAT usable.
 */

const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });

/** A proof for `url` with the server's current nonce. */
const proofFor = async (key: DPoPKey, fields: ProofFields = {}) => proof(key, { nonce: await currentNonce(fetch, key), ...fields });

type TokenAnswer = { access_token: string; refresh_token: string; token_type: string; id_token?: string };

/** A token request of `client` (confidential by Basic, public by client_id), with `dpop` as its DPoP header if given. */
function tokenCall(client: Pick<Instance, 'clientId' | 'secret'>, params: Record<string, string>, dpop?: string) {
  const confidential = client.secret !== undefined;
  return fetch(TOKEN_URL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(confidential ? { Authorization: basic(client.clientId, client.secret) } : {}),
      ...(dpop === undefined ? {} : { DPoP: dpop }),
    },
    body: new URLSearchParams({ ...params, ...(confidential ? {} : { client_id: client.clientId }) }),
  });
}

/** A user's code for `instance` (with `extra` in the authorization request) and the PKCE verifier its exchange needs. */
async function signedIn(instance: Instance, user: TestUser, extra: Record<string, string> = {}) {
  const { verifier, challenge } = await pkce();
  const code = await authorizationCode(fetch, instance, user, { code_challenge: challenge, code_challenge_method: 'S256', ...extra });
  return { grant_type: 'authorization_code', code, code_verifier: verifier };
}

async function tokens(res: Response): Promise<TokenAnswer> {
  expect(res.status).toBe(200);
  return res.json() as Promise<TokenAnswer>;
}

const userinfoCall = (authorization: string, dpop?: string) =>
  fetch(USERINFO_URL, { headers: { Authorization: authorization, ...(dpop === undefined ? {} : { DPoP: dpop }) } });

const userinfoProof = (key: DPoPKey, accessToken: string, fields: ProofFields = {}) =>
  proofFor(key, { htm: 'GET', htu: USERINFO_URL, accessToken, ...fields });

/** A 401 whose challenge is DPoP's, with the RFC code and the algorithms a proof may use (RFC 9449 7.1). */
async function dpopRefusal(res: Response, error: string, status = 401) {
  await expectOAuthError(res, status, error);
  const challenge = res.headers.get('WWW-Authenticate')!;
  expect(challenge).toMatch(/^DPoP /);
  expect(challenge).toContain(`error="${error}"`);
  expect(challenge).toContain('algs="ES256 EdDSA Ed25519 PS256 RS256"');
  return challenge;
}

describe('DPoP in the code flow', () => {
  it('a confidential instance: bound access tokens from the code and each refresh; its refresh token is not bound', async () => {
    const instance = await registerInstance(fetch);
    const key = await dpopKey();
    const exchanged = await tokens(await tokenCall(instance, await signedIn(instance, await createUser(fetch)), await proofFor(key)));
    expect(exchanged.token_type).toBe('DPoP');
    expect(claimsOf(exchanged.access_token).cnf).toEqual({ jkt: key.jkt });
    expect(claimsOf(exchanged.id_token!).cnf).toBeUndefined();

    const info = await userinfoCall(`DPoP ${exchanged.access_token}`, await userinfoProof(key, exchanged.access_token));
    expect(info.status).toBe(200);
    expect(info.headers.get('DPoP-Nonce')).toBeTruthy();

    // RFC 9449 5: a confidential client's refresh token is bound to its authentication, not to a key...
    const bearer = await tokens(await tokenCall(instance, { grant_type: 'refresh_token', refresh_token: exchanged.refresh_token }));
    expect(bearer.token_type).toBe('bearer');
    expect(claimsOf(bearer.access_token).cnf).toBeUndefined();
    // ...and each access token is bound to the proof its request carried.
    const other = await dpopKey();
    const rebound = await tokens(
      await tokenCall(instance, { grant_type: 'refresh_token', refresh_token: bearer.refresh_token }, await proofFor(other)),
    );
    expect(claimsOf(rebound.access_token).cnf).toEqual({ jkt: other.jkt });
  });

  it('a refused proof at the code exchange spends neither the code nor anything else', async () => {
    const instance = await registerInstance(fetch);
    const key = await dpopKey();
    const exchange = await signedIn(instance, await createUser(fetch));
    await expectOAuthError(await tokenCall(instance, exchange, await proofFor(key, { htm: 'GET' })), 400, 'invalid_dpop_proof');
    await expectOAuthError(await tokenCall(instance, exchange, await proof(key)), 400, 'use_dpop_nonce');
    expect((await tokenCall(instance, exchange, await proofFor(key))).status).toBe(200);
  });

  it('dpop_jkt binds the code (RFC 9449 10): no proof or another key is invalid_grant and the code stays good for the key', async () => {
    const instance = await registerInstance(fetch);
    const key = await dpopKey();
    // Through the login form: the parameter survives it.
    const exchange = await signedIn(instance, await createUser(fetch), { dpop_jkt: key.jkt });
    const without = await expectOAuthError(await tokenCall(instance, exchange), 400, 'invalid_grant');
    expect(without.error_description).toContain('dpop_jkt');
    await expectOAuthError(await tokenCall(instance, exchange, await proofFor(await dpopKey())), 400, 'invalid_grant');
    const bound = await tokens(await tokenCall(instance, exchange, await proofFor(key)));
    expect(claimsOf(bound.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('a dpop_jkt that is not a SHA-256 thumbprint is invalid_request at the redirect URI', async () => {
    const instance = await registerInstance(fetch);
    const b = browser(fetch);
    const res = await b.fetch(authorizeUrl(codeRequest(instance, { dpop_jkt: 'not-a-thumbprint' })));
    expect(redirectParams(res).get('error')).toBe('invalid_request');
  });

  it("a public instance's refresh token is bound to the key of the code exchange: another key or none is refused and changes nothing", async () => {
    const instance = await registerInstance(fetch, { token_endpoint_auth_methods: ['none'] });
    expect(instance.secret).toBeUndefined();
    const key = await dpopKey();
    const exchanged = await tokens(await tokenCall(instance, await signedIn(instance, await createUser(fetch)), await proofFor(key)));
    const refresh = { grant_type: 'refresh_token', refresh_token: exchanged.refresh_token };

    const otherKey = await expectOAuthError(await tokenCall(instance, refresh, await proofFor(await dpopKey())), 400, 'invalid_grant');
    expect(otherKey.error_description).toContain('bound to a DPoP key');
    await expectOAuthError(await tokenCall(instance, refresh), 400, 'invalid_grant');
    const rotated = await tokens(await tokenCall(instance, refresh, await proofFor(key)));
    expect(claimsOf(rotated.access_token).cnf).toEqual({ jkt: key.jkt });
    // The rotated token carries the binding on, and introspection names its key (RFC 9449 6.2).
    await expectOAuthError(await tokenCall(instance, { ...refresh, refresh_token: rotated.refresh_token }), 400, 'invalid_grant');
    const resourceServer = unique('rs');
    const created = await adminCall(fetch, 'POST', '/clients', { client_id: resourceServer, resource_server: true });
    const rs = { clientId: resourceServer, secret: ((await created.json()) as { client_secret: string }).client_secret };
    const introspected = await fetch('/oauth/v2/oauth-introspect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(rs.clientId, rs.secret) },
      body: new URLSearchParams({ token: rotated.refresh_token }),
    });
    expect(await introspected.json()).toMatchObject({ active: true, token_type: 'refresh_token', cnf: { jkt: key.jkt } });
  });

  it("a public instance's refresh token is not bound when its code exchange carried no proof", async () => {
    const instance = await registerInstance(fetch, { token_endpoint_auth_methods: ['none'] });
    const exchanged = await tokens(await tokenCall(instance, await signedIn(instance, await createUser(fetch))));
    expect(exchanged.token_type).toBe('bearer');
    expect((await tokenCall(instance, { grant_type: 'refresh_token', refresh_token: exchanged.refresh_token })).status).toBe(200);
  });
});

describe('a DPoP-bound access token at userinfo (RFC 9449 7)', () => {
  async function boundToken(scope = 'openid') {
    const instance = await registerInstance(fetch, { scopes: ['openid', 'profile'] });
    const key = await dpopKey();
    const answer = await tokens(
      await tokenCall(instance, await signedIn(instance, await createUser(fetch), { scope }), await proofFor(key)),
    );
    return { key, token: answer.access_token, instance };
  }

  it('as a Bearer token: 401 invalid_token with a DPoP challenge', async () => {
    const { token } = await boundToken();
    const challenge = await dpopRefusal(await userinfoCall(`Bearer ${token}`), 'invalid_token');
    expect(challenge).toContain('DPoP-bound');
  });

  it('with a proof of another key: 401 invalid_token', async () => {
    const { token } = await boundToken();
    await dpopRefusal(await userinfoCall(`DPoP ${token}`, await userinfoProof(await dpopKey(), token)), 'invalid_token');
  });

  it('with a proof for another token (ath), another method or URL, or none: 401 invalid_dpop_proof', async () => {
    const { key, token } = await boundToken();
    const { token: otherToken } = await boundToken();
    for (const dpop of [
      await userinfoProof(key, otherToken),
      await userinfoProof(key, token, { htm: 'POST' }),
      await userinfoProof(key, token, { htu: TOKEN_URL }),
      await userinfoProof(key, token, { without: ['ath'] }),
    ]) {
      await dpopRefusal(await userinfoCall(`DPoP ${token}`, dpop), 'invalid_dpop_proof');
    }
    await dpopRefusal(await userinfoCall(`DPoP ${token}`), 'invalid_dpop_proof');
    expect((await userinfoCall(`DPoP ${token}`, await userinfoProof(key, token))).status).toBe(200);
  });

  it('with a proof used before: 401 invalid_dpop_proof', async () => {
    const { key, token } = await boundToken();
    const dpop = await userinfoProof(key, token);
    expect((await userinfoCall(`DPoP ${token}`, dpop)).status).toBe(200);
    await dpopRefusal(await userinfoCall(`DPoP ${token}`, dpop), 'invalid_dpop_proof');
  });

  it('without the nonce: 401 use_dpop_nonce with the nonce in DPoP-Nonce (RFC 9449 9)', async () => {
    const { key, token } = await boundToken();
    const res = await userinfoCall(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: token }));
    await dpopRefusal(res, 'use_dpop_nonce');
    const nonce = res.headers.get('DPoP-Nonce')!;
    const retried = await userinfoCall(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: USERINFO_URL, accessToken: token, nonce }));
    expect(retried.status).toBe(200);
  });

  it('without openid: 403 insufficient_scope, told as a DPoP challenge with its scope', async () => {
    const { key, token } = await boundToken('profile');
    const challenge = await dpopRefusal(await userinfoCall(`DPoP ${token}`, await userinfoProof(key, token)), 'insufficient_scope', 403);
    expect(challenge).toContain('scope="openid"');
  });

  it('a token that is not bound, with the DPoP scheme and a proof: 401 invalid_token', async () => {
    const instance = await registerInstance(fetch);
    const { access_token } = await tokens(await tokenCall(instance, await signedIn(instance, await createUser(fetch))));
    const key = await dpopKey();
    await dpopRefusal(await userinfoCall(`DPoP ${access_token}`, await userinfoProof(key, access_token)), 'invalid_token');
    expect((await userinfoCall(`Bearer ${access_token}`)).status).toBe(200);
  });
});

describe('clients that require DPoP (dpop_bound_access_tokens, RFC 9449 5.2)', () => {
  it('a template: its instances get no token without a proof (the code stays good), and registration echoes the setting', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, { dpop_bound_access_tokens: true });
    const iat = () => requestIat(fetch, registrar);
    const disagreeing = await registerWith(fetch, await iat(), { software_id: templateName, dpop_bound_access_tokens: false });
    expect((await expectOAuthError(disagreeing, 400, 'invalid_client_metadata')).error_description).toContain('dpop_bound_access_tokens');
    const res = await registerWith(fetch, await iat(), { software_id: templateName, dpop_bound_access_tokens: true });
    expect(res.status).toBe(201);
    const registered = (await res.json()) as { client_id: string; client_secret: string; dpop_bound_access_tokens: boolean };
    expect(registered.dpop_bound_access_tokens).toBe(true);
    const instance = { clientId: registered.client_id, secret: registered.client_secret, templateName, registrar };

    const exchange = await signedIn(instance, await createUser(fetch));
    const refused = await expectOAuthError(await tokenCall(instance, exchange), 400, 'invalid_dpop_proof');
    expect(refused.error_description).toContain('dpop_bound_access_tokens');
    const key = await dpopKey();
    const bound = await tokens(await tokenCall(instance, exchange, await proofFor(key)));
    expect(claimsOf(bound.access_token).cnf).toEqual({ jkt: key.jkt });
    await expectOAuthError(
      await tokenCall(instance, { grant_type: 'refresh_token', refresh_token: bound.refresh_token }),
      400,
      'invalid_dpop_proof',
    );
  });

  it('a static client: client_credentials without a proof is refused', async () => {
    const clientId = unique('dpop-only');
    const created = await adminCall(fetch, 'POST', '/clients', { client_id: clientId, scopes: ['read'], dpop_bound_access_tokens: true });
    expect(created.status).toBe(201);
    const client = { clientId, secret: ((await created.json()) as { client_secret: string }).client_secret };
    await expectOAuthError(await tokenCall(client, { grant_type: 'client_credentials' }), 400, 'invalid_dpop_proof');
    expect((await tokens(await tokenCall(client, { grant_type: 'client_credentials' }, await proofFor(await dpopKey())))).token_type).toBe(
      'DPoP',
    );
  });

  it('a client registered without a template: the metadata is taken, echoed and enforced; anything but a boolean is refused', async () => {
    const registrarId = unique('registrar');
    const created = await adminCall(fetch, 'POST', '/clients', { client_id: registrarId, may_register_clients: true });
    const registrar = { clientId: registrarId, secret: ((await created.json()) as { client_secret: string }).client_secret };
    const metadata = { grant_types: ['client_credentials'], response_types: [], scope: 'openid' };
    const bad = await registerWith(fetch, await requestIat(fetch, registrar), { ...metadata, dpop_bound_access_tokens: 'yes' });
    await expectOAuthError(bad, 400, 'invalid_client_metadata');
    const plain = await registerWith(fetch, await requestIat(fetch, registrar), metadata);
    expect(((await plain.json()) as { dpop_bound_access_tokens: boolean }).dpop_bound_access_tokens).toBe(false);

    const res = await registerWith(fetch, await requestIat(fetch, registrar), { ...metadata, dpop_bound_access_tokens: true });
    const registered = (await res.json()) as { client_id: string; client_secret: string; dpop_bound_access_tokens: boolean };
    expect(registered.dpop_bound_access_tokens).toBe(true);
    const client = { clientId: registered.client_id, secret: registered.client_secret };
    await expectOAuthError(await tokenCall(client, { grant_type: 'client_credentials' }), 400, 'invalid_dpop_proof');
    expect((await tokenCall(client, { grant_type: 'client_credentials' }, await proofFor(await dpopKey()))).status).toBe(200);
  });
});

describe('a DPoP-bound initial access token at registration', () => {
  async function boundIat() {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const key = await dpopKey();
    const res = await tokenCall(registrar, { grant_type: 'client_credentials', scope: 'dcr' }, await proofFor(key));
    const { access_token } = await tokens(res);
    expect(claimsOf(access_token).cnf).toEqual({ jkt: key.jkt });
    return { key, iat: access_token, templateName };
  }
  const register = (templateName: string, authorization: string, dpop?: string) =>
    fetch(REGISTRATION_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: authorization, ...(dpop === undefined ? {} : { DPoP: dpop }) },
      body: JSON.stringify({ software_id: templateName }),
    });
  const registrationProof = (key: DPoPKey, iat: string) => proofFor(key, { htu: REGISTRATION_URL, accessToken: iat });

  it('registers with the DPoP scheme and a proof of its key; as a Bearer token or with another key it is refused and not spent', async () => {
    const { key, iat, templateName } = await boundIat();
    await dpopRefusal(await register(templateName, `Bearer ${iat}`), 'invalid_token');
    await dpopRefusal(await register(templateName, `DPoP ${iat}`, await registrationProof(await dpopKey(), iat)), 'invalid_token');
    await dpopRefusal(await register(templateName, `DPoP ${iat}`, await proofFor(key, { accessToken: iat })), 'invalid_dpop_proof');
    const res = await register(templateName, `DPoP ${iat}`, await registrationProof(key, iat));
    expect(res.status).toBe(201);
    expect(res.headers.get('DPoP-Nonce')).toBeTruthy();
  });

  it('a proof used once is refused as such, before the IAT is found spent', async () => {
    const { key, iat, templateName } = await boundIat();
    const dpop = await registrationProof(key, iat);
    expect((await register(templateName, `DPoP ${iat}`, dpop)).status).toBe(201);
    await dpopRefusal(await register(templateName, `DPoP ${iat}`, dpop), 'invalid_dpop_proof');
    // A new proof meets the spent IAT.
    await dpopRefusal(await register(templateName, `DPoP ${iat}`, await registrationProof(key, iat)), 'invalid_token');
  });
});

import { describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { adminCall, basic, expectOAuthError, manualClock, testServer, unique, type Fetch } from './helpers';
import { TOKEN_URL, claimsOf, currentNonce, dpopKey, es256Jws, proof, type DPoPKey, type ProofFields } from './support/dpop';
import { NONCE_STEP_MS } from '../src/oauth/dpop-nonces';

/**
 * RFC 9449 4.3, 8 and 11.1 at the token endpoint: every check a proof must pass, each failure refused with its RFC
 * code, and what a good proof gets (a token bound to its key). client_credentials keeps the grant out of the way.
 */

const clock = manualClock();
const fetch = testServer({ clock: () => clock.now });
const seconds = () => Math.floor(clock.now / 1000);

async function staticClient(f: Fetch = fetch, body: Record<string, unknown> = {}) {
  const clientId = unique('dpop-svc');
  const res = await adminCall(f, 'POST', '/clients', { client_id: clientId, scopes: ['read'], ...body });
  expect(res.status).toBe(201);
  return { clientId, secret: ((await res.json()) as { client_secret: string }).client_secret };
}

type Caller = Awaited<ReturnType<typeof staticClient>>;

/** A client_credentials request with `dpop` as its DPoP header (none when null). */
const tokenRequest = (caller: Caller, dpop: string | string[] | null, f: Fetch = fetch) => {
  const headers = new Headers({
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: basic(caller.clientId, caller.secret),
  });
  for (const value of dpop === null ? [] : [dpop].flat()) headers.append('DPoP', value);
  return f(TOKEN_URL, { method: 'POST', headers, body: 'grant_type=client_credentials&scope=read' });
};

/** A proof as the server's clock and nonce expect it, with `fields` changed. */
const goodProof = async (key: DPoPKey, fields: ProofFields = {}, f: Fetch = fetch) =>
  proof(key, { iat: seconds(), nonce: await currentNonce(f, key, seconds()), ...fields });

async function refused(caller: Caller, dpop: string | string[], error = 'invalid_dpop_proof') {
  const res = await tokenRequest(caller, dpop);
  return expectOAuthError(res, 400, error);
}

describe('a DPoP proof at the token endpoint', () => {
  it('binds the access token to its key: cnf.jkt, token_type DPoP, and the next nonce in DPoP-Nonce', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    const res = await tokenRequest(caller, await goodProof(key));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('DPoP');
    expect(claimsOf(body.access_token).cnf).toEqual({ jkt: key.jkt });
    expect(res.headers.get('DPoP-Nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const introspected = await fetch('/oauth/v2/oauth-introspect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(caller.clientId, caller.secret) },
      body: `token=${body.access_token}`,
    });
    expect(await introspected.json()).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('without one, the token is a Bearer token as before, and no DPoP-Nonce is sent', async () => {
    const caller = await staticClient();
    const res = await tokenRequest(caller, null);
    const body = (await res.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('bearer');
    expect(claimsOf(body.access_token).cnf).toBeUndefined();
    expect(res.headers.get('DPoP-Nonce')).toBeNull();
  });

  it.each(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'])('is accepted signed with %s, as discovery announces', async (alg) => {
    const discovery = (await (await fetch('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(discovery.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);
    const key = await dpopKey(alg);
    const res = await tokenRequest(await staticClient(), await goodProof(key));
    expect(res.status).toBe(200);
    expect(claimsOf(((await res.json()) as { access_token: string }).access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('is used once: the same proof again is invalid_dpop_proof; the same jti under another key is another proof', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    const once = await goodProof(key);
    expect((await tokenRequest(caller, once)).status).toBe(200);
    const again = await refused(caller, once);
    expect(again.error_description).toContain('already used');
    const jti = claimsOf(once).jti;
    expect((await tokenRequest(caller, await goodProof(await dpopKey(), { jti }))).status).toBe(200);
  });

  it('is for this endpoint: another URL is refused; its query, fragment and default port do not matter (RFC 9449 4.3)', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    for (const htu of [
      'https://edge-dcr.test/oauth/v2/oauth-userinfo',
      'https://other.example/oauth/v2/oauth-token',
      'http://edge-dcr.test/oauth/v2/oauth-token',
      'not a url',
    ]) {
      expect((await refused(caller, await goodProof(key, { htu }))).error_description).toContain('another URL');
    }
    for (const htu of [`${TOKEN_URL}?a=b#c`, 'https://EDGE-DCR.test:443/oauth/v2/oauth-token']) {
      expect((await tokenRequest(caller, await goodProof(key, { htu }))).status).toBe(200);
    }
  });

  it('is for this method: htm GET on a POST is refused', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    for (const htm of ['GET', 'post'])
      expect((await refused(caller, await goodProof(key, { htm }))).error_description).toContain('another method');
  });

  it('is recent: iat more than 60 s old or 5 s ahead is refused, on the server clock', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    for (const iat of [seconds() - 61, seconds() + 6])
      expect((await refused(caller, await goodProof(key, { iat }))).error_description).toContain('iat');
    for (const iat of [seconds() - 59, seconds() + 4]) expect((await tokenRequest(caller, await goodProof(key, { iat }))).status).toBe(200);
  });

  it('needs jti, htm, htu and iat', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    for (const member of ['jti', 'htm', 'htu', 'iat']) await refused(caller, await goodProof(key, { without: [member] }));
  });

  it('is a dpop+jwt signed with an announced asymmetric algorithm by the public key it carries', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    const nonce = await currentNonce(fetch, key, seconds());
    const payload = { jti: crypto.randomUUID(), htm: 'POST', htu: TOKEN_URL, iat: seconds(), nonce };
    const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

    // alg none, unsigned.
    expect(
      (await refused(caller, `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${b64(payload)}.`)).error_description,
    ).toContain('signed with one of');
    // HS256 with a symmetric key in the header.
    const secret = new TextEncoder().encode('a shared secret that is long enough for HS256!');
    const hs256 = await new SignJWT(payload)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } } as never)
      .sign(secret);
    expect((await refused(caller, hs256)).error_description).toContain('signed with one of');
    // An announced algorithm the key does not fit (ES256 signature, PS256 header), a wrong typ, no jwk.
    await refused(caller, await es256Jws(key, { typ: 'dpop+jwt', alg: 'PS256', jwk: key.publicJwk }, payload));
    // The same by hand with the right alg passes: the refusal above is the alg's.
    expect((await tokenRequest(caller, await es256Jws(key, { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk }, payload))).status).toBe(
      200,
    );
    expect((await refused(caller, await goodProof(key, { header: { typ: 'JWT' } }))).error_description).toContain('typ');
    expect((await refused(caller, await goodProof(key, { header: { jwk: undefined } }))).error_description).toContain('jwk');
    // Signed by another key than the one it carries.
    const other = await dpopKey();
    expect((await refused(caller, await goodProof(key, { header: { jwk: other.publicJwk } }))).error_description).toContain(
      'not signed by its jwk',
    );
    // Not a JWT at all.
    await refused(caller, 'not-a-jwt');
  });

  it('must carry a public key: a private key in the jwk header is refused', async () => {
    const caller = await staticClient();
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const leaking = { alg: 'ES256', privateKey, publicJwk: await exportJWK(privateKey), jkt: '' } as DPoPKey;
    const nonce = await currentNonce(fetch, await dpopKey(), seconds());
    expect((await refused(caller, await proof(leaking, { iat: seconds(), nonce }))).error_description).toContain('public key');
  });

  it('comes in exactly one DPoP header', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    expect((await refused(caller, [await goodProof(key), await goodProof(key)])).error_description).toContain('exactly one');
  });
});

describe('server nonces (RFC 9449 8)', () => {
  it('a proof without a nonce gets 400 use_dpop_nonce and a nonce in DPoP-Nonce, and spends nothing', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    const withoutNonce = await proof(key, { iat: seconds() });
    const res = await tokenRequest(caller, withoutNonce);
    await expectOAuthError(res, 400, 'use_dpop_nonce');
    const nonce = res.headers.get('DPoP-Nonce')!;
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The proof's jti was not spent: the client's retry may even reuse it (with the nonce, it is a new proof).
    expect((await tokenRequest(caller, await proof(key, { iat: seconds(), jti: claimsOf(withoutNonce).jti, nonce }))).status).toBe(200);
  });

  it('a nonce lives through the next step; after that it is stale: use_dpop_nonce with a fresh one', async () => {
    const caller = await staticClient();
    const key = await dpopKey();
    const nonce = await currentNonce(fetch, key, seconds());
    clock.advance(NONCE_STEP_MS);
    expect((await tokenRequest(caller, await proof(key, { iat: seconds(), nonce }))).status).toBe(200);
    clock.advance(NONCE_STEP_MS);
    const stale = await tokenRequest(caller, await proof(key, { iat: seconds(), nonce }));
    expect((await expectOAuthError(stale, 400, 'use_dpop_nonce')).error_description).toContain('stale');
    const fresh = stale.headers.get('DPoP-Nonce')!;
    expect(fresh).not.toBe(nonce);
    expect((await tokenRequest(caller, await proof(key, { iat: seconds(), nonce: fresh }))).status).toBe(200);
  });

  it('a nonce the server never handed out is stale', async () => {
    const caller = await staticClient();
    await expectOAuthError(
      await tokenRequest(caller, await proof(await dpopKey(), { iat: seconds(), nonce: 'A'.repeat(43) })),
      400,
      'use_dpop_nonce',
    );
  });

  it('with DPOP_NONCE_REQUIRED "false", a proof without a nonce is enough; a stale one is still refused', async () => {
    const relaxed = testServer({ clock: () => clock.now }, { DPOP_NONCE_REQUIRED: 'false' });
    const caller = await staticClient(relaxed);
    const key = await dpopKey();
    const res = await tokenRequest(caller, await proof(key, { iat: seconds() }), relaxed);
    expect(res.status).toBe(200);
    expect(claimsOf(((await res.json()) as { access_token: string }).access_token).cnf).toEqual({ jkt: key.jkt });
    await expectOAuthError(
      await tokenRequest(caller, await proof(key, { iat: seconds(), nonce: 'stale' }), relaxed),
      400,
      'use_dpop_nonce',
    );
    expect(((await (await adminCall(relaxed, 'GET', '/settings')).json()) as Record<string, unknown>).dpop_nonce_required).toBe(false);
  });

  it('a DPOP_NONCE_REQUIRED that is neither "true" nor "false" is a configuration error naming it', async () => {
    const broken = testServer({}, { DPOP_NONCE_REQUIRED: 'sometimes' });
    const body = await expectOAuthError(await broken('/.well-known/openid-configuration'), 500, 'server_error');
    expect(body.error_description).toContain('DPOP_NONCE_REQUIRED must be "true" or "false"');
  });

  it('DPoP-Nonce is readable cross-origin', async () => {
    const key = await dpopKey();
    const res = await fetch(TOKEN_URL, {
      method: 'POST',
      headers: {
        Origin: 'https://spa.example',
        'Content-Type': 'application/x-www-form-urlencoded',
        DPoP: await proof(key, { iat: seconds() }),
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.headers.get('DPoP-Nonce')).toBeTruthy();
    expect(res.headers.get('Access-Control-Expose-Headers')?.toLowerCase()).toContain('dpop-nonce');
  });
});

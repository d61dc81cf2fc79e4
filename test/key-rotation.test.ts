import { env } from 'cloudflare:test';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM shared with `npm run keys`
import { retire, rotate } from '../scripts/lib/keyset.mjs';
import { authorizationCode, createUser, exchangeCode, registerInstance, USERINFO } from './flow-helpers';
import { basic, type Fetch, form, ORIGIN, registerWith, requestIat, setUpTemplate, testServer } from './helpers';

// One deployment seen through three values of SIGNING_KEYS, changed as `npm run keys` changes them: before the
// rotation, after `rotate` (NEXT_SIGNING_KEYS in front, the old keys behind), after `retire` of both old keys.
const before: JWK[] = JSON.parse(env.SIGNING_KEYS);
const rotated: JWK[] = rotate(before, JSON.parse(env.NEXT_SIGNING_KEYS));
const retired: JWK[] = before.reduce((keys: JWK[], key) => retire(keys, key.kid), rotated);
const server = (keys: JWK[]) => testServer({}, { SIGNING_KEYS: JSON.stringify(keys) });

async function tokensFrom(fetch: Fetch, idTokenAlg: 'RS256' | 'ES256') {
  const instance = await registerInstance(fetch, { id_token_signed_response_alg: idTokenAlg });
  const user = await createUser(fetch);
  const res = await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user));
  expect(res.status).toBe(200);
  return { instance, tokens: (await res.json()) as { access_token: string; id_token: string } };
}

const userinfoStatus = async (fetch: Fetch, accessToken: string) =>
  (await fetch(USERINFO, { headers: { Authorization: `Bearer ${accessToken}` } })).status;

const active = async (fetch: Fetch, caller: { clientId: string; secret: string }, token: string) => {
  const res = await fetch('/oauth/v2/oauth-introspect', form({ token }, { Authorization: basic(caller.clientId, caller.secret) }));
  return ((await res.json()) as { active: boolean }).active;
};

const jwksOf = async (fetch: Fetch) => (await (await fetch('/oauth/v2/oauth-anonymous/jwks')).json()) as { keys: JWK[] };

describe('signing key rotation (npm run keys)', () => {
  it('tokens signed before a rotation keep verifying until their key is retired; new tokens use the new keys', async () => {
    const old = server(before);
    const during = server(rotated);
    const after = server(retired);

    const { instance, tokens } = await tokensFrom(old, 'RS256');
    expect(decodeProtectedHeader(tokens.access_token).kid).toBe(before.find((k) => k.alg === 'ES256')!.kid);
    expect(decodeProtectedHeader(tokens.id_token).kid).toBe(before.find((k) => k.alg === 'RS256')!.kid);

    // Rotated: both generations are published, the old tokens still work, new ones are signed by the new keys.
    const published = await jwksOf(during);
    expect(published.keys.map((k) => k.kid)).toEqual(rotated.map((k) => k.kid));
    expect(published.keys.every((k) => k.d === undefined)).toBe(true);
    expect(await userinfoStatus(during, tokens.access_token)).toBe(200);
    expect(await active(during, instance, tokens.access_token)).toBe(true);
    await jwtVerify(tokens.id_token, createLocalJWKSet(published), { issuer: ORIGIN, audience: instance.clientId });
    const fresh = await tokensFrom(during, 'RS256');
    const next: JWK[] = JSON.parse(env.NEXT_SIGNING_KEYS);
    expect(decodeProtectedHeader(fresh.tokens.access_token).kid).toBe(next.find((k) => k.alg === 'ES256')!.kid);
    expect(decodeProtectedHeader(fresh.tokens.id_token).kid).toBe(next.find((k) => k.alg === 'RS256')!.kid);

    // Retired: the old keys are gone from the JWKS and their tokens are refused; the new ones carry on.
    const remaining = await jwksOf(after);
    expect(remaining.keys.map((k) => k.kid)).toEqual(next.map((k) => k.kid));
    expect(await userinfoStatus(after, tokens.access_token)).toBe(401);
    expect(await active(after, instance, tokens.access_token)).toBe(false);
    await expect(jwtVerify(tokens.id_token, createLocalJWKSet(remaining))).rejects.toThrow();
    expect(await userinfoStatus(after, fresh.tokens.access_token)).toBe(200);
    expect(await active(after, fresh.instance, fresh.tokens.access_token)).toBe(true);
  });

  it('an initial access token issued before a rotation still registers an instance after it', async () => {
    const old = server(before);
    const { registrar, templateName } = await setUpTemplate(old);
    const iat = await requestIat(old, registrar);
    expect((await registerWith(server(rotated), iat, { software_id: templateName })).status).toBe(201);
  });
});

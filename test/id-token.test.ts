import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ORIGIN, editTemplate, testServer } from './helpers';
import { authorizationCode, createUser, exchangeCode, refresh, registerInstance } from './flow-helpers';

const fetch = testServer();

async function idTokenFor(template: Record<string, unknown>, params: Record<string, string> = {}) {
  const instance = await registerInstance(fetch, template);
  const user = await createUser(fetch);
  const tokens = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, params))).json()) as Record<
    string,
    string
  >;
  return { instance, user, tokens };
}

describe('ID tokens', () => {
  it("are signed with the template's id_token_signed_response_alg (ES256 here) and verify against the JWKS", async () => {
    const { instance, user, tokens } = await idTokenFor({ id_token_signed_response_alg: 'ES256' }, { nonce: 'abc' });
    const header = decodeProtectedHeader(tokens.id_token!);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const jwks = createLocalJWKSet(await (await fetch('/oauth/v2/oauth-anonymous/jwks')).json());
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: ORIGIN, audience: instance.clientId, algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: user.sub, azp: instance.clientId, nonce: 'abc', acr: 'username-password' });
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'at_hash', 'azp'])
      expect(payload).toHaveProperty(claim);
  });

  it('a template switching the algorithm changes the next ID token, refreshes included', async () => {
    const { instance, tokens } = await idTokenFor({});
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    await editTemplate(fetch, instance.templateName, { id_token_signed_response_alg: 'ES256' });
    const next = (await (await refresh(fetch, instance, tokens.refresh_token!)).json()) as Record<string, string>;
    expect(decodeProtectedHeader(next.id_token!).alg).toBe('ES256');
  });

  it('without a nonce in the request, the ID token has none', async () => {
    const { tokens } = await idTokenFor({});
    const [, body] = tokens.id_token!.split('.');
    expect(JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/')))).not.toHaveProperty('nonce');
  });
});

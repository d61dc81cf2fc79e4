import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ORIGIN, requestIat, setUpTemplate, testServer } from './helpers';

const fetch = testServer();

describe('discovery', () => {
  it('serves one document at both well-known paths, listing the endpoints that exist', async () => {
    const oidc = await fetch('/.well-known/openid-configuration');
    const oauth = await fetch('/.well-known/oauth-authorization-server');
    expect(oidc.status).toBe(200);
    const metadata = (await oidc.json()) as Record<string, unknown>;
    expect(await oauth.json()).toEqual(metadata);
    expect(metadata).toMatchObject({
      issuer: ORIGIN,
      token_endpoint: `${ORIGIN}/oauth/v2/oauth-token`,
      jwks_uri: `${ORIGIN}/oauth/v2/oauth-anonymous/jwks`,
      registration_endpoint: `${ORIGIN}/oauth/v2/oauth-dynamic-client-registration`,
    });
    for (const [key, value] of Object.entries(metadata)) {
      if (key.endsWith('_endpoint') || key === 'jwks_uri') {
        const path = new URL(value as string).pathname;
        expect((await fetch(path)).status, `${key} must exist`).not.toBe(404);
      }
    }
  });

  it('uses the configured issuer when ISSUER is set', async () => {
    const fixed = testServer({}, { ISSUER: 'https://login.example.com/' });
    expect(await (await fixed('/.well-known/openid-configuration')).json()).toMatchObject({
      issuer: 'https://login.example.com',
      token_endpoint: 'https://login.example.com/oauth/v2/oauth-token',
    });
  });
});

describe('JWKS', () => {
  it('publishes the RS256 and ES256 public keys, no private members', async () => {
    const res = await fetch('/oauth/v2/oauth-anonymous/jwks');
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of keys) {
      expect(key).toMatchObject({ use: 'sig', kid: expect.any(String) });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
  });

  it('verifies the access tokens we issue', async () => {
    const { registrar } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const jwks = createLocalJWKSet((await (await fetch('/oauth/v2/oauth-anonymous/jwks')).json()) as never);
    const { payload, protectedHeader } = await jwtVerify(iat, jwks, { issuer: ORIGIN, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ client_id: registrar.clientId, scope: 'dcr', sub: registrar.clientId });
    expect(payload.exp! - payload.iat!).toBe(300);
  });
});

describe('unknown paths and methods', () => {
  it('answer JSON errors, never HTML or a stack trace', async () => {
    for (const [path, method] of [
      ['/nope', 'GET'],
      ['/oauth/v2/oauth-token', 'GET'],
      ['/admin/v1/templates', 'PATCH'],
    ] as const) {
      const res = await fetch(path, { method, headers: { Authorization: 'Bearer test-admin-token-0123456789abcdef' } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
    }
  });
});

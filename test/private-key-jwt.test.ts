import { env } from 'cloudflare:test';
import { SignJWT, UnsecuredJWT, exportJWK, importJWK, type CryptoKey, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ORIGIN,
  basic,
  countInstances,
  editTemplate,
  expectOAuthError,
  form,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  timeLeftInRateLimitWindow,
  type Fetch,
} from './helpers';
import { CALLBACK, EXAMPLE_PKCE, TOKEN, browser, codeRequest, createUser, logIn, redirectParams, type Instance } from './flow-helpers';
import { assertionClaims, assertionFields, clientKey, jwksOf, keysInstance, signed, type ClientKey } from './support/client-keys';

/** README "Client authentication with keys": private_key_jwt (RFC 7523) at the token, introspection and revocation endpoints. */

const fetch = testServer();
const TOKEN_URL = `${ORIGIN}${TOKEN}`;
const INTROSPECT = '/oauth/v2/oauth-introspect';
const REVOKE = '/oauth/v2/oauth-revoke';

/** A token request authenticated by an assertion `key` signed, saying `claims` (by default a valid one for the issuer). */
async function withAssertion(
  server: Fetch,
  path: string,
  client: Pick<Instance, 'clientId'>,
  key: ClientKey,
  params: Record<string, string>,
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
) {
  const assertion = await signed(key, assertionClaims(client.clientId, ORIGIN, claims), header);
  return server(path, form({ ...params, ...assertionFields(assertion) }));
}

const clientCredentials = (client: Pick<Instance, 'clientId'>, key: ClientKey, claims?: JWTPayload, header?: Record<string, unknown>) =>
  withAssertion(fetch, TOKEN, client, key, { grant_type: 'client_credentials' }, claims, header);

async function expectInvalidClient(res: Response, description?: RegExp) {
  const body = await expectOAuthError(res, 401, 'invalid_client');
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  if (description) expect(body.error_description).toMatch(description);
}

describe('registering an instance that authenticates with its keys', () => {
  it('an instance of a template that allows private_key_jwt registers its jwks: no secret, method and keys echoed', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    expect(instance.registration).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_methods: ['private_key_jwt'],
      jwks: jwksOf(key),
    });
    expect(instance.registration).not.toHaveProperty('client_secret');
    expect((await clientCredentials(instance, key)).status).toBe(200);
  });

  it('a template whose first method is private_key_jwt: an instance naming no method uses its keys', async () => {
    const key = await clientKey();
    const instance = await keysInstance(
      fetch,
      key,
      { token_endpoint_auth_methods: ['private_key_jwt'] },
      { token_endpoint_auth_method: undefined },
    );
    expect(instance.registration).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt' });
    expect(instance.registration).not.toHaveProperty('client_secret');
    expect((await clientCredentials(instance, key)).status).toBe(200);
  });

  it('refuses keys that are not public signature keys, a jwks_uri that is not https on a public host, and no keys; the IAT stays usable', async () => {
    const key = await clientKey();
    const { registrar, templateName } = await setUpTemplate(fetch, {
      token_endpoint_auth_methods: ['client_secret_basic', 'private_key_jwt'],
    });
    const iat = await requestIat(fetch, registrar);
    const withKeys = (metadata: Record<string, unknown>) =>
      registerWith(fetch, iat, { software_id: templateName, token_endpoint_auth_method: 'private_key_jwt', ...metadata });
    const refused: [string, Record<string, unknown>][] = [
      ['a private key', { jwks: { keys: [{ ...key.publicJwk, d: 'c2VjcmV0' }] } }],
      ['a symmetric key', { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0c2VjcmV0' }] } }],
      ['an encryption key', { jwks: { keys: [{ ...key.publicJwk, use: 'enc' }] } }],
      ['an alg not announced', { jwks: { keys: [{ ...key.publicJwk, alg: 'ES384' }] } }],
      ['a curve not supported', { jwks: { keys: [{ ...key.publicJwk, crv: 'P-384' }] } }],
      ['no keys in the set', { jwks: { keys: [] } }],
      ['not a JWK Set', { jwks: [key.publicJwk] }],
      ['both jwks and jwks_uri', { jwks: jwksOf(key), jwks_uri: 'https://keys.example/jwks.json' }],
      ['no keys at all', {}],
      ['jwks_uri over http', { jwks_uri: 'http://keys.example/jwks.json' }],
      ['jwks_uri on loopback', { jwks_uri: 'https://127.0.0.1/jwks.json' }],
      ['jwks_uri on localhost', { jwks_uri: 'https://localhost/jwks.json' }],
      ['jwks_uri on a private network', { jwks_uri: 'https://10.1.2.3/jwks.json' }],
      ['jwks_uri on a private IPv6 address', { jwks_uri: 'https://[fd00::1]/jwks.json' }],
      ['jwks_uri with user information', { jwks_uri: 'https://user:pw@keys.example/jwks.json' }],
      ['an alg pin not announced', { jwks: jwksOf(key), token_endpoint_auth_signing_alg: 'HS256' }],
    ];
    for (const [what, metadata] of refused) {
      const res = await withKeys(metadata);
      expect(res.status, what).toBe(400);
      expect(((await res.json()) as { error: string }).error, what).toBe('invalid_client_metadata');
    }
    expect(await countInstances(templateName)).toBe(0);
    expect((await withKeys({ jwks: jwksOf(key) })).status).toBe(201);
  });

  it('a template that does not allow private_key_jwt refuses the method', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const key = await clientKey();
    const res = await registerWith(fetch, await requestIat(fetch, registrar), {
      software_id: templateName,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: jwksOf(key),
    });
    await expectOAuthError(res, 400, 'invalid_client_metadata');
    expect(await countInstances(templateName)).toBe(0);
  });
});

describe('private_key_jwt at the token endpoint', () => {
  it('accepts an assertion for the issuer or the token endpoint (one or a list), with or without client_id in the form', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    expect((await clientCredentials(instance, key)).status).toBe(200);
    expect((await clientCredentials(instance, key, { aud: TOKEN_URL })).status).toBe(200);
    expect((await clientCredentials(instance, key, { aud: ['https://elsewhere.example', ORIGIN] })).status).toBe(200);
    const assertion = await signed(key, assertionClaims(instance.clientId, ORIGIN));
    const res = await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: instance.clientId, ...assertionFields(assertion) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'bearer' });
  });

  it('refuses every assertion that breaks a rule with invalid_client', async () => {
    const key = await clientKey();
    let instance = await keysInstance(fetch, key);
    const other = await keysInstance(fetch, await clientKey());
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, RegExp, JWTPayload, Record<string, unknown>?][] = [
      ['another audience', /"aud"/, { aud: 'https://elsewhere.example' }],
      ['another endpoint of this server', /"aud"/, { aud: `${ORIGIN}${INTROSPECT}` }],
      ['iss other than sub', /"iss"/, { iss: other.clientId }],
      ['sub of another client', /"sub"/, { sub: other.clientId }],
      ['expired', /"exp"/, { iat: now - 120, exp: now - 60 }],
      ['not yet valid', /"nbf"/, { nbf: now + 120 }],
      ['living longer than 5 minutes from iat', /lives too long/, { iat: now - 290, exp: now + 20 }],
      ['expiring more than 5 minutes from now', /lives too long/, { iat: undefined, exp: now + 400 }],
      ['without exp', /"exp"/, { exp: undefined }],
      ['without jti', /jti/, { jti: undefined }],
      ['a kid it never registered', /no key of the client matches/, {}, { kid: 'unknown-kid' }],
      ['a request object for a client assertion', /request object/, {}, { typ: 'oauth-authz-req+jwt' }],
    ];
    for (const [index, [what, reason, claims, header]] of cases.entries()) {
      // A fresh client every few cases: more than 10 failures a minute for one client would answer 429.
      if (index % 6 === 5) instance = await keysInstance(fetch, key);
      const res = await withAssertion(
        fetch,
        TOKEN,
        instance,
        key,
        { grant_type: 'client_credentials', client_id: instance.clientId },
        claims,
        header,
      );
      expect(res.status, what).toBe(401);
      await expectInvalidClient(res, reason);
    }
  });

  it('a jti is used once: the replayed assertion is refused', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const fields = assertionFields(await signed(key, assertionClaims(instance.clientId, ORIGIN)));
    expect((await fetch(TOKEN, form({ grant_type: 'client_credentials', ...fields }))).status).toBe(200);
    await expectInvalidClient(await fetch(TOKEN, form({ grant_type: 'client_credentials', ...fields })), /used before/);
  });

  it('an assertion that does not verify spends nothing: its jti stays usable', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const claims = assertionClaims(instance.clientId, ORIGIN);
    const forged = await signed(await clientKey('ES256', key.kid), claims);
    await expectInvalidClient(await fetch(TOKEN, form({ grant_type: 'client_credentials', ...assertionFields(forged) })), /signature/);
    const genuine = await signed(key, claims);
    expect((await fetch(TOKEN, form({ grant_type: 'client_credentials', ...assertionFields(genuine) }))).status).toBe(200);
  });

  it('only announced algorithms, only the client’s keys, never unsigned', async () => {
    // An RSA key registered without an alg: RS384 would verify with it, but is not announced; RS256 is.
    const rs384 = await clientKey('RS384');
    const { alg: _, ...anyAlg } = rs384.publicJwk;
    const key = { ...rs384, alg: 'RS256', privateKey: (await importJWK(await exportJWK(rs384.privateKey), 'RS256')) as CryptoKey };
    const instance = await keysInstance(fetch, key, {}, { jwks: { keys: [anyAlg] } });
    expect((await clientCredentials(instance, key)).status).toBe(200);
    await expectInvalidClient(await clientCredentials(instance, rs384), /alg/);
    const stranger = await clientKey('RS256', key.kid);
    await expectInvalidClient(await clientCredentials(instance, stranger), /signature/);
    const unsigned = new UnsecuredJWT(assertionClaims(instance.clientId, ORIGIN)).encode();
    await expectInvalidClient(await fetch(TOKEN, form({ grant_type: 'client_credentials', ...assertionFields(unsigned) })));
    const hmac = await new SignJWT(assertionClaims(instance.clientId, ORIGIN))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a-shared-secret-of-thirty-two-bytes!'));
    await expectInvalidClient(await fetch(TOKEN, form({ grant_type: 'client_credentials', ...assertionFields(hmac) })));
    await expectInvalidClient(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: instance.clientId, ...assertionFields('not-a-jwt') })),
    );
  });

  it('an alg the client pinned (token_endpoint_auth_signing_alg) is the only one it may use', async () => {
    const ec = await clientKey('ES256');
    const rsa = await clientKey('RS256');
    const instance = await keysInstance(fetch, ec, {}, { jwks: jwksOf(ec, rsa), token_endpoint_auth_signing_alg: 'ES256' });
    expect(instance.registration.token_endpoint_auth_signing_alg).toBe('ES256');
    expect((await clientCredentials(instance, ec)).status).toBe(200);
    await expectInvalidClient(await clientCredentials(instance, rsa));
  });

  it('verifies RS256, PS256, ES256 and EdDSA (also under its RFC 9864 name Ed25519) in the Workers runtime', async () => {
    const keys = await Promise.all(['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'].map((alg) => clientKey(alg)));
    const instance = await keysInstance(fetch, keys[0]!, {}, { jwks: jwksOf(...keys) });
    for (const key of keys) expect((await clientCredentials(instance, key)).status, key.alg).toBe(200);
    // One algorithm under two names: a key registered for EdDSA verifies an Ed25519 signature (as oauth4webapi makes them).
    const eddsa = keys.find((key) => key.alg === 'EdDSA')!;
    expect((await clientCredentials(instance, { ...eddsa, alg: 'Ed25519' })).status).toBe(200);
  });

  it('one method at a time: an assertion with Basic or a client_secret, or of another type, is invalid_request', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const fields = assertionFields(await signed(key, assertionClaims(instance.clientId, ORIGIN)));
    const cases: [string, RequestInit][] = [
      ['with Basic', form({ grant_type: 'client_credentials', ...fields }, { Authorization: basic(instance.clientId, 'x') })],
      ['with client_secret', form({ grant_type: 'client_credentials', ...fields, client_secret: 'x' })],
      ['another assertion type', form({ grant_type: 'client_credentials', ...fields, client_assertion_type: 'urn:example:saml' })],
      ['no assertion type', form({ grant_type: 'client_credentials', client_assertion: fields.client_assertion })],
      ['a type without an assertion', form({ grant_type: 'client_credentials', client_assertion_type: fields.client_assertion_type })],
    ];
    for (const [what, init] of cases) {
      const res = await fetch(TOKEN, init);
      expect(res.status, what).toBe(400);
      await expectOAuthError(res, 400, 'invalid_request');
    }
  });

  it('the client_id in the form must be the assertion’s client', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const other = await keysInstance(fetch, key);
    const assertion = await signed(key, assertionClaims(instance.clientId, ORIGIN));
    await expectInvalidClient(
      await fetch(TOKEN, form({ grant_type: 'client_credentials', client_id: other.clientId, ...assertionFields(assertion) })),
    );
  });

  it('each method for its credential: no assertion from a client with a secret or none, no bare client_id from one with keys', async () => {
    const key = await clientKey();
    const all = { token_endpoint_auth_methods: ['client_secret_basic', 'private_key_jwt', 'none'], capabilities: ['code', 'refresh'] };
    const withKeys = await keysInstance(fetch, key, all);
    const bare = { grant_type: 'refresh_token', refresh_token: 'x.y.z' };
    await expectInvalidClient(await fetch(TOKEN, form({ ...bare, client_id: withKeys.clientId })));
    // Both registered the same keys (for request objects), but authenticate with a secret, or nothing.
    for (const method of ['client_secret_basic', 'none']) {
      const other = await keysInstance(fetch, key, all, { token_endpoint_auth_method: method });
      expect(other.registration.token_endpoint_auth_methods).toEqual([method]);
      await expectInvalidClient(await withAssertion(fetch, TOKEN, other, key, bare));
    }
  });

  it('a template that drops private_key_jwt stops its instances with keys at once; adding it back restores them', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    await editTemplate(fetch, instance.templateName, { token_endpoint_auth_methods: ['client_secret_basic'] });
    await expectInvalidClient(await clientCredentials(instance, key));
    await editTemplate(fetch, instance.templateName, { token_endpoint_auth_methods: ['client_secret_basic', 'private_key_jwt'] });
    expect((await clientCredentials(instance, key)).status).toBe(200);
  });

  it('failed assertions count toward the failed-client-authentication limit; a valid one still authenticates', {
    timeout: 90_000,
  }, async () => {
    const limited = testServer({}, { CLIENT_AUTH_LIMITER: env.TIGHT_LIMITER });
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const attempt = (claims: JWTPayload = {}) => withAssertion(limited, TOKEN, instance, key, { grant_type: 'client_credentials' }, claims);
    await timeLeftInRateLimitWindow(10);
    for (let i = 0; i < 3; i++) await expectInvalidClient(await attempt({ aud: 'https://elsewhere.example' }));
    await expectOAuthError(await attempt({ aud: 'https://elsewhere.example' }), 429, 'too_many_requests');
    expect((await attempt()).status).toBe(200);
  });
});

describe('private_key_jwt in the code flow, at introspection and revocation', () => {
  it('exchanges a code and refreshes with assertions; a replayed assertion is refused before the code is spent', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const user = await createUser(fetch);
    const code = redirectParams(await logIn(browser(fetch), codeRequest(instance), user)).get('code')!;
    const exchange = (assertion: string) =>
      fetch(
        TOKEN,
        form({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          code_verifier: EXAMPLE_PKCE.verifier,
          ...assertionFields(assertion),
        }),
      );
    const used = await signed(key, assertionClaims(instance.clientId, ORIGIN));
    expect((await fetch(TOKEN, form({ grant_type: 'client_credentials', ...assertionFields(used) }))).status).toBe(200);
    await expectInvalidClient(await exchange(used), /used before/);
    const res = await exchange(await signed(key, assertionClaims(instance.clientId, ORIGIN)));
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { refresh_token: string; id_token: string };
    expect(tokens.id_token).toEqual(expect.any(String));
    const refreshed = await withAssertion(fetch, TOKEN, instance, key, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
  });

  it('introspects (a client with keys is not public) and revokes, the assertion naming the issuer or the endpoint called', async () => {
    const key = await clientKey();
    const instance = await keysInstance(fetch, key);
    const { access_token: token } = (await (await clientCredentials(instance, key)).json()) as { access_token: string };
    for (const aud of [ORIGIN, `${ORIGIN}${INTROSPECT}`]) {
      const res = await withAssertion(fetch, INTROSPECT, instance, key, { token }, { aud });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ active: true, client_id: instance.clientId });
    }
    await expectInvalidClient(await withAssertion(fetch, INTROSPECT, instance, key, { token }, { aud: TOKEN_URL }));
    await expectInvalidClient(await withAssertion(fetch, REVOKE, instance, key, { token }, { aud: `${ORIGIN}${INTROSPECT}` }));
    expect((await withAssertion(fetch, REVOKE, instance, key, { token }, { aud: `${ORIGIN}${REVOKE}` })).status).toBe(200);
    expect(await (await withAssertion(fetch, INTROSPECT, instance, key, { token })).json()).toEqual({ active: false });
  });
});

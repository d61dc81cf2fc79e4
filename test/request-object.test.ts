import { SignJWT, UnsecuredJWT, decodeJwt, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { ORIGIN, basic, form, json, testServer } from './helpers';
import {
  AUTHORIZE,
  CALLBACK,
  EXAMPLE_PKCE,
  TOKEN,
  authorizeUrl,
  browser,
  createUser,
  hiddenFields,
  redirectParams,
  registerInstance,
  type Instance,
  createOpenTemplate,
} from './flow-helpers';
import { clientKey, jwksOf, keysInstance, signed, type ClientKey } from './support/client-keys';

/** README "Signed request objects": RFC 9101 `request` at the authorization endpoint, signed with the client's keys. */

const fetch = testServer();
const OTHER_CALLBACK = 'https://localhost/other';

/** A client with a secret that registered keys to sign its request objects with, on a template with two redirect URIs. */
async function signingInstance(key: ClientKey, metadata: Record<string, unknown> = {}) {
  return keysInstance(
    fetch,
    key,
    { redirect_uris: [CALLBACK, OTHER_CALLBACK], token_endpoint_auth_methods: ['client_secret_basic'] },
    { token_endpoint_auth_method: 'client_secret_basic', ...metadata },
  ).then((instance) => ({ ...instance, secret: instance.registration.client_secret as string }));
}

/** What a request object of `client` says by default: a whole authorization request, for this server. */
const requestClaims = (client: Pick<Instance, 'clientId'>, claims: JWTPayload = {}): JWTPayload => ({
  iss: client.clientId,
  aud: ORIGIN,
  client_id: client.clientId,
  response_type: 'code',
  scope: 'openid',
  redirect_uri: OTHER_CALLBACK,
  state: 'inner-state',
  nonce: 'inner-nonce',
  code_challenge: EXAMPLE_PKCE.challenge,
  code_challenge_method: 'S256',
  exp: Math.floor(Date.now() / 1000) + 60,
  ...claims,
});

const requestObject = (key: ClientKey, client: Pick<Instance, 'clientId'>, claims?: JWTPayload, header: Record<string, unknown> = {}) =>
  signed(key, requestClaims(client, claims), { typ: 'oauth-authz-req+jwt', ...header });

/** An error page: 400, HTML, no redirect (the request object's redirect_uri is not verified). */
async function expectErrorPage(res: Response, error: string, description?: RegExp) {
  expect(res.status).toBe(400);
  expect(res.headers.get('Location')).toBeNull();
  expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toContain(`<code>${error}</code>`);
  if (description) expect(html).toMatch(description);
}

describe('signed request objects at the authorization endpoint', () => {
  it('the request object’s parameters drive the flow to a code: login form, redirect, state and nonce from inside', async () => {
    const key = await clientKey();
    const instance = await signingInstance(key);
    const user = await createUser(fetch);
    const b = browser(fetch);
    const page = await b.fetch(authorizeUrl({ client_id: instance.clientId, request: await requestObject(key, instance) }));
    expect(page.status).toBe(200);
    const fields = hiddenFields(await page.text());
    expect(fields).toMatchObject({
      client_id: instance.clientId,
      redirect_uri: OTHER_CALLBACK,
      state: 'inner-state',
      nonce: 'inner-nonce',
    });
    expect(fields).not.toHaveProperty('request');
    const params = redirectParams(
      await b.fetch(AUTHORIZE, form({ ...fields, username: user.username, password: user.password })),
      OTHER_CALLBACK,
    );
    expect(params.get('state')).toBe('inner-state');
    const tokens = await fetch(
      TOKEN,
      form(
        { grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: OTHER_CALLBACK, code_verifier: EXAMPLE_PKCE.verifier },
        { Authorization: basic(instance.clientId, instance.secret) },
      ),
    );
    expect(tokens.status).toBe(200);
    expect(decodeJwt(((await tokens.json()) as { id_token: string }).id_token)).toMatchObject({
      nonce: 'inner-nonce',
      aud: instance.clientId,
    });
  });

  it('values inside replace the query’s: a parameter only in the query is not used', async () => {
    const key = await clientKey();
    const instance = await signingInstance(key);
    const query = {
      client_id: instance.clientId,
      response_type: 'code',
      scope: 'openid',
      state: 'outer-state',
      redirect_uri: CALLBACK,
      nonce: 'outer-nonce',
      // Outside alone: without a session it would be login_required at the redirect URI.
      prompt: 'none',
      request: await requestObject(key, instance),
    };
    const page = await fetch(authorizeUrl(query));
    expect(page.status).toBe(200);
    const fields = hiddenFields(await page.text());
    expect(fields).toMatchObject({ state: 'inner-state', nonce: 'inner-nonce', redirect_uri: OTHER_CALLBACK });
    expect(fields).not.toHaveProperty('prompt');
  });

  it('an unverified client’s consent page carries the request object’s parameters too', async () => {
    const name = await createOpenTemplate(fetch);
    const key = await clientKey();
    const registered = await fetch(
      '/oauth/v2/oauth-dynamic-client-registration',
      json({ software_id: name, redirect_uris: [CALLBACK], jwks: jwksOf(key) }, { 'CF-Connecting-IP': '203.0.113.9' }),
    );
    expect(registered.status).toBe(201);
    const instance = { clientId: ((await registered.json()) as { client_id: string }).client_id };
    const user = await createUser(fetch);
    const b = browser(fetch);
    const request = await requestObject(key, instance, { redirect_uri: CALLBACK });
    const login = hiddenFields(await (await b.fetch(authorizeUrl({ client_id: instance.clientId, request }))).text());
    const consent = await b.fetch(AUTHORIZE, form({ ...login, username: user.username, password: user.password }));
    expect(consent.status).toBe(200);
    const fields = hiddenFields(await consent.text());
    expect(fields).toMatchObject({ state: 'inner-state', nonce: 'inner-nonce' });
    const params = redirectParams(await b.fetch(AUTHORIZE, form({ ...fields, consent: 'approve' })));
    expect(params.get('state')).toBe('inner-state');
    expect(params.get('code')).toEqual(expect.any(String));
    // Signed in already: the consent page straight from the request object.
    const again = await requestObject(key, instance, { redirect_uri: CALLBACK, prompt: 'consent', state: 'again' });
    const page = await b.fetch(authorizeUrl({ client_id: instance.clientId, request: again }));
    expect(page.status).toBe(200);
    expect(hiddenFields(await page.text())).toMatchObject({ state: 'again', prompt: 'consent', redirect_uri: CALLBACK });
  });

  it('by POST too (OpenID Connect Core 3.1.2.1)', async () => {
    const key = await clientKey();
    const instance = await signingInstance(key);
    const page = await fetch(AUTHORIZE, form({ client_id: instance.clientId, request: await requestObject(key, instance) }));
    expect(page.status).toBe(200);
    expect(hiddenFields(await page.text())).toMatchObject({ state: 'inner-state' });
  });

  it('an instance authenticating with its keys signs its request objects with them too', async () => {
    const key = await clientKey('PS256');
    const instance = await keysInstance(fetch, key);
    const page = await fetch(
      authorizeUrl({ client_id: instance.clientId, request: await requestObject(key, instance, { redirect_uri: CALLBACK }) }),
    );
    expect(page.status).toBe(200);
  });

  it('refuses with an error page, never a redirect, every request object that does not verify', async () => {
    const key = await clientKey();
    const instance = await signingInstance(key);
    const other = await signingInstance(await clientKey());
    const now = Math.floor(Date.now() / 1000);
    const hmac = await new SignJWT(requestClaims(instance))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a-shared-secret-of-thirty-two-bytes!'));
    const cases: [string, string, RegExp][] = [
      ['unsigned (alg none)', new UnsecuredJWT(requestClaims(instance)).encode(), /unsigned/],
      ['signed with a shared secret (HS256)', hmac, /alg/],
      ['signed by another client’s key', await requestObject(await clientKey('ES256', key.kid), instance), /signature/],
      ['another client_id inside', await requestObject(key, instance, { client_id: other.clientId }), /client_id of the request/],
      ['iss other than the client', await requestObject(key, instance, { iss: other.clientId }), /iss is not/],
      ['aud other than this server', await requestObject(key, instance, { aud: 'https://elsewhere.example' }), /aud is not/],
      ['expired', await requestObject(key, instance, { exp: now - 60 }), /exp&quot; claim/],
      ['not yet valid', await requestObject(key, instance, { nbf: now + 120 }), /nbf&quot; claim/],
      ['another response_type than the query’s', await requestObject(key, instance, { response_type: 'token' }), /response_type/],
      ['a request inside', await requestObject(key, instance, { request: 'x' }), /request_uri/],
      ['not a JWT', 'not-a-jwt', /not a signed JWT/],
    ];
    for (const [what, request, reason] of cases) {
      const res = await fetch(authorizeUrl({ client_id: instance.clientId, response_type: 'code', request }));
      expect(res.status, what).toBe(400);
      await expectErrorPage(res, 'invalid_request_object', reason);
    }
  });

  it('a client without keys cannot send one; request with request_uri, or twice, is invalid_request', async () => {
    const key = await clientKey();
    const withoutKeys = await registerInstance(fetch);
    const request = await requestObject(key, withoutKeys, { redirect_uri: CALLBACK });
    await expectErrorPage(await fetch(authorizeUrl({ client_id: withoutKeys.clientId, request })), 'invalid_request_object', /no keys/);
    const instance = await signingInstance(key);
    const own = await requestObject(key, instance);
    await expectErrorPage(
      await fetch(authorizeUrl({ client_id: instance.clientId, request: own, request_uri: 'urn:x' })),
      'invalid_request',
    );
    await expectErrorPage(await fetch(`${authorizeUrl({ client_id: instance.clientId, request: own })}&request=${own}`), 'invalid_request');
  });

  it('an alg the client pinned (request_object_signing_alg) is the only one it may use', async () => {
    const [ec, rsa] = [await clientKey('ES256'), await clientKey('RS256')];
    const instance = await signingInstance(ec, { jwks: jwksOf(ec, rsa), request_object_signing_alg: 'RS256' });
    expect((await fetch(authorizeUrl({ client_id: instance.clientId, request: await requestObject(rsa, instance) }))).status).toBe(200);
    await expectErrorPage(
      await fetch(authorizeUrl({ client_id: instance.clientId, request: await requestObject(ec, instance) })),
      'invalid_request_object',
      /RS256/,
    );
  });

  it('the redirect_uri inside is verified like any other: an unregistered one is an error page', async () => {
    const key = await clientKey();
    const instance = await signingInstance(key);
    const request = await requestObject(key, instance, { redirect_uri: 'https://attacker.example/cb' });
    await expectErrorPage(await fetch(authorizeUrl({ client_id: instance.clientId, request })), 'invalid_redirect_uri');
  });
});

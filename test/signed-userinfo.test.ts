import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ORIGIN,
  adminCall,
  editTemplate,
  expectOAuthError,
  nonTemplatizedIat,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
  type Fetch,
} from './helpers';
import { CALLBACK, USERINFO, authorizationCode, createUser, exchangeCode, registerInstance, type Instance } from './flow-helpers';

const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });

const CLAIMS = { name: 'Ada Lovelace', email: 'ada@example.com' };

async function userinfoOf(f: Fetch, client: Instance, scope = 'openid profile') {
  const user = await createUser(f, CLAIMS);
  const tokens = (await (await exchangeCode(f, client, await authorizationCode(f, client, user, { scope }))).json()) as {
    access_token: string;
    id_token: string;
  };
  return { user, res: await f(USERINFO, { headers: { Authorization: `Bearer ${tokens.access_token}` } }) };
}

/** Checked as a relying party would: the signature against the published JWKS, issuer and audience. */
async function verified(res: Response, clientId: string) {
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('application/jwt');
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  const jwt = await res.text();
  const jwks = createLocalJWKSet((await (await fetch('/oauth/v2/oauth-anonymous/jwks')).json()) as JSONWebKeySet);
  const { payload } = await jwtVerify(jwt, jwks, { issuer: ORIGIN, audience: clientId });
  return { payload, header: decodeProtectedHeader(jwt) };
}

describe('signed userinfo (OpenID Connect Core 5.3.2)', () => {
  it.each(['RS256', 'ES256'] as const)(
    'a template with userinfo_signed_response_alg %s: its instances get a JWT signed with it',
    async (alg) => {
      const instance = await registerInstance(fetch, { scopes: ['openid', 'profile'], userinfo_signed_response_alg: alg });
      const { user, res } = await userinfoOf(fetch, instance);
      const { payload, header } = await verified(res, instance.clientId);
      expect(header.alg).toBe(alg);
      expect(payload).toMatchObject({ iss: ORIGIN, aud: instance.clientId, sub: user.sub, name: CLAIMS.name });
      expect(payload.email).toBeUndefined();
    },
  );

  it('instances inherit it live from their template; without it userinfo is JSON', async () => {
    const instance = await registerInstance(fetch, { scopes: ['openid', 'profile'] });
    const plain = await userinfoOf(fetch, instance);
    expect(plain.res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await plain.res.json()).toMatchObject({ sub: plain.user.sub, name: CLAIMS.name });
    await editTemplate(fetch, instance.templateName, { userinfo_signed_response_alg: 'RS256' });
    const signed = await userinfoOf(fetch, instance);
    expect((await verified(signed.res, instance.clientId)).payload.sub).toBe(signed.user.sub);
  });

  it('the registration answer says it; an instance may only agree with its template', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, { userinfo_signed_response_alg: 'RS256' });
    const agreeing = await registerWith(fetch, await requestIat(fetch, registrar), {
      software_id: templateName,
      userinfo_signed_response_alg: 'RS256',
    });
    expect(agreeing.status).toBe(201);
    expect(await agreeing.json()).toMatchObject({ userinfo_signed_response_alg: 'RS256' });
    const disagreeing = await registerWith(fetch, await requestIat(fetch, registrar), {
      software_id: templateName,
      userinfo_signed_response_alg: 'ES256',
    });
    await expectOAuthError(disagreeing, 400, 'invalid_client_metadata');
    const unsigned = await setUpTemplate(fetch);
    const asking = await registerWith(fetch, await requestIat(fetch, unsigned.registrar), {
      software_id: unsigned.templateName,
      userinfo_signed_response_alg: 'RS256',
    });
    await expectOAuthError(asking, 400, 'invalid_client_metadata');
  });

  it('a static client and a client registered without a template may ask for it too', async () => {
    const clientId = unique('signed-static');
    const created = await adminCall(fetch, 'POST', '/clients', {
      client_id: clientId,
      capabilities: ['code'],
      redirect_uris: [CALLBACK],
      scopes: ['openid'],
      userinfo_signed_response_alg: 'ES256',
    });
    expect(created.status).toBe(201);
    const staticClient = { clientId, secret: ((await created.json()) as { client_secret: string }).client_secret } as Instance;
    expect((await verified((await userinfoOf(fetch, staticClient, 'openid')).res, clientId)).header.alg).toBe('ES256');

    const iat = await nonTemplatizedIat(fetch);
    const res = await registerWith(fetch, iat, { redirect_uris: [CALLBACK], userinfo_signed_response_alg: 'RS256' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(body.userinfo_signed_response_alg).toBe('RS256');
    const dynamic = { clientId: body.client_id!, secret: body.client_secret! } as Instance;
    expect((await verified((await userinfoOf(fetch, dynamic, 'openid')).res, dynamic.clientId)).header.alg).toBe('RS256');
  });

  it('the admin API refuses an algorithm the server has no key for', async () => {
    const res = await adminCall(fetch, 'POST', '/clients', { client_id: unique('c'), userinfo_signed_response_alg: 'HS256' });
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toMatch(/^userinfo_signed_response_alg: /);
  });
});

import { describe, expect, it } from 'vitest';
import { ORIGIN, adminCall, form, registerWith, requestIat, testServer, unique } from './helpers';
import { TOKEN, authorizationCode, authorizeUrl, createUser, pkce, redirectParams } from './flow-helpers';

const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });
const REDIRECT = 'com.example.app:/cb';

/** A public client (no secret) from non-templatized registration. */
async function publicClient() {
  const registrarId = unique('registrar');
  const created = await adminCall(fetch, 'POST', '/clients', { client_id: registrarId, may_register_clients: true });
  const iat = await requestIat(fetch, {
    clientId: registrarId,
    secret: ((await created.json()) as { client_secret: string }).client_secret,
  });
  const res = await registerWith(fetch, iat, {
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

describe('public clients', () => {
  it('must use PKCE: without a code_challenge the request is refused by redirect', async () => {
    const clientId = await publicClient();
    const params = redirectParams(
      await fetch(authorizeUrl({ client_id: clientId, response_type: 'code', scope: 'openid', state: 's' })),
      REDIRECT,
    );
    expect({ error: params.get('error'), state: params.get('state'), iss: params.get('iss') }).toEqual({
      error: 'invalid_request',
      state: 's',
      iss: ORIGIN,
    });
  });

  it('run the code flow with PKCE and no secret; the verifier is what binds the code', async () => {
    const clientId = await publicClient();
    const user = await createUser(fetch);
    const { verifier, challenge } = await pkce();
    const instance = { clientId, secret: '', templateName: '', registrar: { clientId: '', secret: '' } };
    const pkceParams = { code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: REDIRECT };
    const exchange = (code: string, extra: Record<string, string>) =>
      fetch(TOKEN, form({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: REDIRECT, ...extra }));

    const stolen = await authorizationCode(fetch, instance, user, pkceParams);
    expect((await exchange(stolen, {})).status).toBe(400);
    const code = await authorizationCode(fetch, instance, user, pkceParams);
    const res = await exchange(code, { code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('id_token');
  });
});

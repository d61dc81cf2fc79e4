import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ORIGIN, adminCall, editTemplate, expectOAuthError, form, registerWith, testServer, unique } from './helpers';
import {
  AUTHORIZE,
  CALLBACK,
  REFRESH_TOKEN_SHAPE,
  TOKEN,
  USERINFO,
  authorizeUrl,
  browser,
  hiddenFields,
  pkce,
  redirectParams,
} from './flow-helpers';

const fetch = testServer();

async function sha256Half(value: string) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
  return btoa(String.fromCharCode(...digest.slice(0, 16)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('docs/flow.md steps 1 to 5 end to end', () => {
  it('template, IAT, registration, login, code exchange, ID token, refresh, userinfo, then template edits', async () => {
    // Step 1: the admin makes the registrar `server`, the template and a user.
    const serverId = unique('server');
    const serverSecret = 'the-server-secret-that-is-long-enough-0123456789';
    expect((await adminCall(fetch, 'POST', '/clients', { client_id: serverId, client_secret: serverSecret })).status).toBe(201);
    const templateName = unique('template-client');
    expect(
      (
        await adminCall(fetch, 'POST', '/templates', {
          name: templateName,
          capabilities: ['code', 'refresh'],
          redirect_uris: [CALLBACK],
          scopes: ['openid', 'profile'],
          authenticators: ['username-password'],
          token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
          registration: { mode: 'clients', allowed_clients: [serverId] },
        })
      ).status,
    ).toBe(201);
    const username = unique('demo');
    const password = 'demo-password-0123';
    expect(
      (await adminCall(fetch, 'POST', '/users', { username, password, claims: { name: 'Demo User', email: 'demo@example.com' } })).status,
    ).toBe(201);

    // Step 2: the IAT.
    const iatRes = await fetch(
      TOKEN,
      form({ grant_type: 'client_credentials', client_id: serverId, client_secret: serverSecret, scope: 'dcr' }),
    );
    const { access_token: iat } = (await iatRes.json()) as { access_token: string };

    // Step 3: an instance.
    const reg = await registerWith(fetch, iat, { software_id: templateName });
    expect(reg.status).toBe(201);
    const instance = (await reg.json()) as { client_id: string; client_secret: string };

    // Step 4: the browser runs the code flow with PKCE, logging in on the Worker's page.
    const { verifier, challenge } = await pkce();
    const b = browser(fetch);
    const request = {
      client_id: instance.client_id,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: CALLBACK,
      state: 'af0ifjsldkj',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const page = await b.fetch(authorizeUrl(request));
    expect(page.status).toBe(200);
    const fields = hiddenFields(await page.text());
    expect(fields.csrf_token).toBeTruthy();
    const loggedIn = await b.fetch(AUTHORIZE, form({ ...fields, username, password }));
    const callback = redirectParams(loggedIn);
    expect(callback.get('state')).toBe('af0ifjsldkj');
    expect(callback.get('iss')).toBe(ORIGIN);
    const loginTime = Math.floor(Date.now() / 1000);

    const exchange = await fetch(
      TOKEN,
      form({
        grant_type: 'authorization_code',
        client_id: instance.client_id,
        client_secret: instance.client_secret,
        code: callback.get('code')!,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    );
    expect(exchange.status).toBe(200);
    expect(exchange.headers.get('Cache-Control')).toBe('no-store');
    const tokens = (await exchange.json()) as Record<string, any>;
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'openid profile' });
    expect(tokens.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);

    // The ID token verifies against the published JWKS, RS256 by default.
    const jwks = createLocalJWKSet(await (await fetch('/oauth/v2/oauth-anonymous/jwks')).json());
    expect(decodeProtectedHeader(tokens.id_token).alg).toBe('RS256');
    const { payload: idToken } = await jwtVerify(tokens.id_token, jwks, {
      issuer: ORIGIN,
      audience: instance.client_id,
      algorithms: ['RS256'],
    });
    expect(idToken).toMatchObject({ azp: instance.client_id, nonce: 'n-0S6_WzA2Mj', acr: 'username-password' });
    expect(idToken.at_hash).toBe(await sha256Half(tokens.access_token));
    expect(Math.abs((idToken.auth_time as number) - loginTime)).toBeLessThanOrEqual(2);
    expect(idToken.exp! - idToken.iat!).toBe(3600);

    // Userinfo: sub and the profile claims, not the email (no email scope).
    const info = await fetch(USERINFO, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ sub: idToken.sub, name: 'Demo User' });

    // Refresh: rotation, a new ID token with the original auth_time and no nonce.
    const refreshed = await fetch(
      TOKEN,
      form({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: instance.client_id,
        client_secret: instance.client_secret,
      }),
    );
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as Record<string, any>;
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    const { payload: refreshedId } = await jwtVerify(second.id_token, jwks, { issuer: ORIGIN, audience: instance.client_id });
    expect(refreshedId).toMatchObject({ sub: idToken.sub, auth_time: idToken.auth_time });
    expect(refreshedId.nonce).toBeUndefined();

    // Step 5: the template drops openid. The next authorize and the next refresh asking for it fail.
    await editTemplate(fetch, templateName, { scopes: ['profile'] });
    const denied = redirectParams(await b.fetch(authorizeUrl({ ...request, state: 's2' })));
    expect(denied.get('error')).toBe('invalid_scope');
    const refreshWith = (token: string, extra: Record<string, string> = {}) =>
      fetch(
        TOKEN,
        form({
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: instance.client_id,
          client_secret: instance.client_secret,
          ...extra,
        }),
      );
    await expectOAuthError(await refreshWith(second.refresh_token), 400, 'invalid_scope');
    await expectOAuthError(await refreshWith(second.refresh_token, { scope: 'openid' }), 400, 'invalid_scope');
    // The refused request did not spend the refresh token: narrowing to what is still allowed works.
    const narrowed = await refreshWith(second.refresh_token, { scope: 'profile' });
    expect(narrowed.status).toBe(200);
    const third = (await narrowed.json()) as Record<string, any>;
    expect(third.scope).toBe('profile');
    expect(third.id_token).toBeUndefined();

    // Disabled, then deleted: the instance's token requests are invalid_client.
    await editTemplate(fetch, templateName, { enabled: false });
    await expectOAuthError(await refreshWith(third.refresh_token, { scope: 'profile' }), 401, 'invalid_client');
    await editTemplate(fetch, templateName, { enabled: true });
    expect((await refreshWith(third.refresh_token, { scope: 'profile' })).status).toBe(200);
    expect((await adminCall(fetch, 'DELETE', `/templates/${templateName}`)).status).toBe(204);
    await expectOAuthError(await refreshWith(third.refresh_token, { scope: 'profile' }), 401, 'invalid_client');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { REDIRECT_URI, createTemplate, e2e } from '../context';
import { authorizationRequest, registerInstance } from '../openid-client-setup';
import { CookieJar, logInOverHttp, submit } from '../login-over-http';
import { startLocalServer, type LocalServer } from '../local-server';
import { codeChecks, discover, insecure, redeemCallback, register, requestIat } from '../oauth4webapi-setup';

/**
 * Pushed authorization requests (RFC 9126) through both libraries' own support, and RP-initiated logout through
 * openid-client's end-session URL, followed over HTTP to the application's page.
 */

/** The application's signed-out page: a real server, which records the query each visit came with. */
let app: LocalServer;
const visits: URLSearchParams[] = [];
beforeAll(async () => {
  app = await startLocalServer((req, res) => {
    visits.push(new URL(req.url ?? '/', 'http://local').searchParams);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('signed out of the app');
  });
});
afterAll(() => app.close());

const signedOutPage = () => `${app.origin}/signed-out`;

/** A template whose instances must push their authorization requests, and may return to the app after logout. */
const parTemplate = () =>
  createTemplate('par-logout', {
    capabilities: ['code', 'refresh'],
    redirect_uris: [REDIRECT_URI],
    scopes: ['openid'],
    require_pushed_authorization_requests: true,
    post_logout_redirect_uris: [signedOutPage()],
  });

describe('openid-client', () => {
  it('pushes with buildAuthorizationUrlWithPAR, signs in through the form, and gets tokens', async () => {
    const instance = await registerInstance((await parTemplate()).name);
    expect(instance.serverMetadata().pushed_authorization_request_endpoint).toBe(`${e2e.issuer}/oauth/v2/oauth-authorize/par`);
    expect(instance.clientMetadata().require_pushed_authorization_requests).toBe(true);

    const { url: plain, checks } = await authorizationRequest(instance);
    const url = await client.buildAuthorizationUrlWithPAR(instance, Object.fromEntries(plain.searchParams));
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);

    const login = await logInOverHttp(url, e2e.user, new CookieJar());
    expect(login.sawLoginForm).toBe(true);
    const tokens = await client.authorizationCodeGrant(instance, login.callback, checks);
    expect(tokens.claims()).toMatchObject({ iss: e2e.issuer, aud: instance.clientMetadata().client_id, nonce: checks.expectedNonce });

    // The same request sent without a push is refused, and the library reads the refusal from the callback.
    const { url: direct, checks: directChecks } = await authorizationRequest(instance);
    const refused = await logInOverHttp(direct, e2e.user, new CookieJar());
    await expect(client.authorizationCodeGrant(instance, refused.callback, directChecks)).rejects.toMatchObject({
      error: 'invalid_request',
    });
  });

  it('signs out with buildEndSessionUrl: confirmed on the page, then back at the application with its state', async () => {
    const instance = await registerInstance((await parTemplate()).name);
    const { url: plain, checks } = await authorizationRequest(instance);
    const jar = new CookieJar();
    const { callback } = await logInOverHttp(
      await client.buildAuthorizationUrlWithPAR(instance, Object.fromEntries(plain.searchParams)),
      e2e.user,
      jar,
    );
    const tokens = await client.authorizationCodeGrant(instance, callback, checks);

    const state = client.randomState();
    const logoutUrl = client.buildEndSessionUrl(instance, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: signedOutPage(),
      state,
    });
    expect(logoutUrl.href.startsWith(`${e2e.issuer}/oauth/v2/oauth-session/logout?`)).toBe(true);
    const page = await fetch(logoutUrl, { headers: jar.header(), redirect: 'manual' });
    jar.store(page);
    expect(page.status).toBe(200);
    const confirmed = await submit(await page.text(), logoutUrl.href, {}, jar);
    expect(confirmed.status).toBe(303);

    const before = visits.length;
    const landed = await fetch(confirmed.headers.get('Location')!);
    expect(await landed.text()).toBe('signed out of the app');
    expect(visits.slice(before).map((query) => query.get('state'))).toEqual([state]);

    // The session is gone: the next authorization request shows the login form again.
    const { url: again } = await authorizationRequest(instance);
    const next = await fetch(await client.buildAuthorizationUrlWithPAR(instance, Object.fromEntries(again.searchParams)), {
      headers: jar.header(),
      redirect: 'manual',
    });
    expect(next.status).toBe(200);
    expect(await next.text()).toContain('name="password"');
  });
});

describe('oauth4webapi', () => {
  it('pushes with pushedAuthorizationRequest, signs in through the form, and gets tokens', async () => {
    const template = await parTemplate();
    const as = await discover();
    const instance = await register(as, (await requestIat(as)).access_token, { software_id: template.name });
    const auth = oauth.ClientSecretBasic(instance.client_secret as string);

    const { codeVerifier, state, nonce, params: request } = await codeChecks();
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      instance,
      await oauth.pushedAuthorizationRequest(as, instance, auth, request, insecure),
    );
    expect(pushed.expires_in).toBe(60);
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: instance.client_id, request_uri: pushed.request_uri }).toString();

    const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
    const tokens = await redeemCallback(as, instance, auth, callback, { state, nonce, codeVerifier });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ iss: e2e.issuer, aud: instance.client_id, nonce });

    // The request_uri works once.
    const reused = await fetch(url, { redirect: 'manual' });
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('invalid_request_uri');
  });
});

import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import {
  ORIGIN,
  adminCall,
  editTemplate,
  expectOAuthError,
  form,
  registerWith,
  requestIat,
  testServer,
  unique,
  type Fetch,
} from './helpers';
import {
  CALLBACK,
  authorizeUrl,
  browser,
  codeRequest,
  createUser,
  exchangeCode,
  hiddenFields,
  logIn,
  redirectParams,
  registerInstance,
  registrarWithoutTemplate,
  staticCodeClient,
  type Browser,
  type Instance,
} from './flow-helpers';

/** OpenID Connect RP-Initiated Logout 1.0: README "Signing out (RP-initiated logout)". */

const LOGOUT = '/oauth/v2/oauth-session/logout';
const SIGNED_OUT = 'https://localhost/signed-out';
const SESSION_COOKIE = '__Host-edge_dcr_session';

const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });

const logoutUrl = (params: Record<string, string>) => `${LOGOUT}?${new URLSearchParams(params)}`;

/** An instance of a template that registers SIGNED_OUT for logout, a user signed in to it, and their ID token. */
async function signedIn(template: Record<string, unknown> = {}, server: Fetch = fetch) {
  const instance = await registerInstance(server, { post_logout_redirect_uris: [SIGNED_OUT], scopes: ['openid', 'profile'], ...template });
  const user = await createUser(server);
  const b = browser(server);
  const code = redirectParams(await logIn(b, codeRequest(instance), user)).get('code')!;
  const tokens = (await (await exchangeCode(server, instance, code)).json()) as { id_token: string; access_token: string };
  expect(b.cookies.get(SESSION_COOKIE)).toBeTruthy();
  return { instance, user, b, idToken: tokens.id_token, accessToken: tokens.access_token };
}

/** Whether the browser's session still signs it in: an authorization request goes straight back with a code. */
async function stillSignedIn(b: Browser, instance: Instance) {
  const res = await b.fetch(authorizeUrl(codeRequest(instance)));
  return res.status === 302 && new URL(res.headers.get('Location')!).searchParams.has('code');
}

async function expectErrorPage(res: Response, reference: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('Location')).toBeNull();
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  const html = await res.text();
  expect(html).toContain('We can’t sign you out here');
  expect(html).toContain(`Reference: <code>${reference}</code>`);
  return html;
}

/** Opens the logout URL in the browser, expects the confirmation page, and confirms on it. */
async function confirmLogout(b: Browser, url: string) {
  const page = await b.fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<title>Sign out?</title>');
  return { html, res: await b.fetch(LOGOUT, form(hiddenFields(html))) };
}

describe('RP-initiated logout', () => {
  it('asks the user, then clears the session and goes to the registered post_logout_redirect_uri with state', async () => {
    const { instance, b, idToken } = await signedIn({ client_name: 'Field Service' });
    const url = logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'bye-1', ui_locales: 'fr' });
    const page = await b.fetch(url);
    const html = await page.text();
    expect(html).toContain('<strong>Field Service</strong> asks you to sign out');
    expect(page.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    // Showing the page signs nobody out.
    expect(await stillSignedIn(b, instance)).toBe(true);

    const res = await b.fetch(LOGOUT, form(hiddenFields(html)));
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`${SIGNED_OUT}?state=bye-1`);
    const cleared = res.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    expect(cleared).toMatch(/Max-Age=0/);
    expect(await stillSignedIn(b, instance)).toBe(false);
  });

  it('without a post_logout_redirect_uri ends on the signed-out page; state alone goes nowhere', async () => {
    const { instance, b, idToken } = await signedIn();
    const { res } = await confirmLogout(b, logoutUrl({ id_token_hint: idToken, state: 'ignored' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are signed out');
    expect(await stillSignedIn(b, instance)).toBe(false);
  });

  it('takes no parameters at all, and a POSTed request', async () => {
    const { instance, b } = await signedIn();
    const page = await b.fetch(LOGOUT, form({}));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Do you want to sign out');
    expect((await b.fetch(LOGOUT, form(hiddenFields(html)))).status).toBe(200);
    expect(await stillSignedIn(b, instance)).toBe(false);
  });

  it('with client_id instead of a hint, and a registered URI’s own query kept', async () => {
    const withQuery = `${SIGNED_OUT}?from=idp`;
    const { instance, b } = await signedIn({ post_logout_redirect_uris: [withQuery] });
    const { res } = await confirmLogout(b, logoutUrl({ client_id: instance.clientId, post_logout_redirect_uri: withQuery, state: 's' }));
    expect(res.headers.get('Location')).toBe(`${SIGNED_OUT}?from=idp&state=s`);
  });

  it('accepts an expired ID token as the hint', async () => {
    // Signed in three hours ago (the session lasts eight), with an ID token that lived one.
    const past = testServer({ clock: () => Date.now() - 3 * 3600_000 });
    const { idToken, b: pastBrowser } = await signedIn({}, past);
    expect((decodeJwt(idToken).exp as number) * 1000).toBeLessThan(Date.now());
    const b = browser(fetch);
    for (const [name, value] of pastBrowser.cookies) b.cookies.set(name, value);
    const { res } = await confirmLogout(b, logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }));
    expect(res.headers.get('Location')).toBe(SIGNED_OUT);
  });

  it('a browser with no session has nothing to confirm: it goes straight on', async () => {
    const { instance, idToken } = await signedIn();
    const res = await fetch(
      logoutUrl({ id_token_hint: idToken, client_id: instance.clientId, post_logout_redirect_uri: SIGNED_OUT, state: 'x' }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`${SIGNED_OUT}?state=x`);
  });

  it('protects the confirmation against CSRF: a wrong token signs nobody out', async () => {
    const { instance, b, idToken } = await signedIn();
    const page = await b.fetch(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }));
    const fields = hiddenFields(await page.text());
    const forged = await b.fetch(LOGOUT, form({ ...fields, csrf_token: 'guessed' }));
    expect(forged.status).toBe(403);
    expect(forged.headers.get('Location')).toBeNull();
    expect(await forged.text()).toContain('This page has expired');
    // Another site's form: the browser sends none of the server's cookies with it (SameSite), so the token matches nothing.
    const crossSite = await fetch(LOGOUT, form(fields));
    expect(crossSite.status).toBe(403);
    expect(await stillSignedIn(b, instance)).toBe(true);
  });
});

describe('refused logout requests: an error page, never a redirect', () => {
  it('a post_logout_redirect_uri the client did not register', async () => {
    const { instance, b, idToken } = await signedIn();
    for (const uri of ['https://attacker.example/out', `${SIGNED_OUT}/`, CALLBACK]) {
      const html = await expectErrorPage(
        await b.fetch(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri })),
        'invalid_redirect_uri',
      );
      expect(html).toContain('not registered for this client');
    }
    expect(await stillSignedIn(b, instance)).toBe(true);
  });

  it('a post_logout_redirect_uri without a hint or client_id to check it against', async () => {
    await expectErrorPage(await fetch(logoutUrl({ post_logout_redirect_uri: SIGNED_OUT, state: 's' })), 'invalid_request');
  });

  it('a client_id that is not the hint’s, and a hint that is another client’s', async () => {
    const { idToken } = await signedIn();
    const other = await registerInstance(fetch, { post_logout_redirect_uris: ['https://localhost/other-out'] });
    const mismatch = await fetch(logoutUrl({ id_token_hint: idToken, client_id: other.clientId }));
    expect(await expectErrorPage(mismatch, 'invalid_request')).toContain('not the one the id_token_hint was issued to');
    // The hint names its own client, whose URIs are the ones checked.
    const foreign = await fetch(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: 'https://localhost/other-out' }));
    await expectErrorPage(foreign, 'invalid_redirect_uri');
  });

  it('an ID token of another issuer, even signed with our keys', async () => {
    const elsewhere = testServer({}, { ISSUER: 'https://other-issuer.example' });
    const { idToken } = await signedIn({}, elsewhere);
    expect(decodeJwt(idToken).iss).toBe('https://other-issuer.example');
    const res = await fetch(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }));
    expect(await expectErrorPage(res, 'invalid_request')).toContain('not an ID token this server issued');
  });

  it('a forged or altered hint, and a token that is not an ID token', async () => {
    const { idToken, accessToken } = await signedIn();
    const [header, payload, signature] = idToken.split('.');
    const claims = decodeJwt(idToken);
    const altered = `${header}.${btoa(JSON.stringify({ ...claims, sub: 'someone-else' })).replace(/=+$/, '')}.${signature}`;
    const unsigned = `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' })).replace(/=+$/, '')}.${payload}.`;
    for (const hint of [altered, unsigned, accessToken, 'not-a-jwt', `${header}.${payload}.${signature!.slice(0, -4)}AAAA`]) {
      const res = await fetch(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: SIGNED_OUT }));
      expect(await expectErrorPage(res, 'invalid_request')).toContain('not an ID token this server issued');
    }
  });

  it('an unknown client, and a repeated parameter', async () => {
    await expectErrorPage(await fetch(logoutUrl({ client_id: unique('nobody') })), 'invalid_client');
    const { idToken } = await signedIn();
    const repeated = `${logoutUrl({ id_token_hint: idToken })}&state=a&state=b`;
    expect(await expectErrorPage(await fetch(repeated), 'invalid_request')).toContain('the state parameter is repeated');
  });

  it('a POST that is not a form, and other methods', async () => {
    const res = await fetch(LOGOUT, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect((await fetch(LOGOUT, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('post_logout_redirect_uris', () => {
  it('instances read their template’s live', async () => {
    const { instance, b, idToken } = await signedIn();
    const url = logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: 'https://localhost/new-out' });
    await expectErrorPage(await b.fetch(url), 'invalid_redirect_uri');
    await editTemplate(fetch, instance.templateName, { post_logout_redirect_uris: [SIGNED_OUT, 'https://localhost/new-out'] });
    expect((await confirmLogout(b, url)).res.headers.get('Location')).toBe('https://localhost/new-out');
  });

  it('an instance’s registration may repeat the template’s, not change them; the answer echoes them', async () => {
    const instance = await registerInstance(fetch, { post_logout_redirect_uris: [SIGNED_OUT] });
    const iat = await requestIat(fetch, instance.registrar);
    const changed = await registerWith(fetch, iat, {
      software_id: instance.templateName,
      post_logout_redirect_uris: ['https://localhost/x'],
    });
    await expectOAuthError(changed, 400, 'invalid_client_metadata');
    const same = await registerWith(fetch, iat, { software_id: instance.templateName, post_logout_redirect_uris: [SIGNED_OUT] });
    expect(same.status).toBe(201);
    expect(await same.json()).toMatchObject({ post_logout_redirect_uris: [SIGNED_OUT] });
  });

  it('a static client’s own', async () => {
    const { clientId } = await staticCodeClient(fetch, { post_logout_redirect_uris: [SIGNED_OUT] });
    const res = await fetch(logoutUrl({ client_id: clientId, post_logout_redirect_uri: SIGNED_OUT }));
    expect(res.headers.get('Location')).toBe(SIGNED_OUT);
    const refused = await adminCall(fetch, 'POST', '/clients', {
      client_id: unique('bad'),
      post_logout_redirect_uris: ['javascript:alert(1)'],
    });
    expect(refused.status).toBe(400);
  });

  it('a dynamic client’s, from its registration metadata: validated as redirect URIs are, and echoed', async () => {
    const registrar = await registrarWithoutTemplate(fetch);
    const register = async (metadata: Record<string, unknown>) =>
      registerWith(fetch, await requestIat(fetch, registrar), { redirect_uris: [CALLBACK], ...metadata });
    for (const bad of [['http://example.com/out'], ['https://localhost/out#fragment'], 'https://localhost/out']) {
      await expectOAuthError(await register({ post_logout_redirect_uris: bad }), 400, 'invalid_client_metadata');
    }
    const res = await register({ post_logout_redirect_uris: [SIGNED_OUT] });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_id: string; post_logout_redirect_uris: string[] };
    expect(body.post_logout_redirect_uris).toEqual([SIGNED_OUT]);
    const logout = await fetch(logoutUrl({ client_id: body.client_id, post_logout_redirect_uri: SIGNED_OUT }));
    expect(logout.headers.get('Location')).toBe(SIGNED_OUT);
  });
});

describe('discovery', () => {
  it('announces the end-session endpoint', async () => {
    const metadata = (await (await fetch('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(metadata.end_session_endpoint).toBe(`${ORIGIN}${LOGOUT}`);
  });
});

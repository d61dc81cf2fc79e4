import { describe, expect, it } from 'vitest';
import { ORIGIN, adminCall, editTemplate, form, manualClock, testServer } from './helpers';
import {
  AUTHORIZE,
  CODE_SHAPE,
  CALLBACK,
  authorizeUrl,
  browser,
  createUser,
  hiddenFields,
  logIn,
  pkce,
  redirectParams,
  registerInstance,
  serverWithUnreachableLedger,
  codeRequest,
} from './flow-helpers';

const fetch = testServer();

/** An error page: HTML, 400, and above all no redirect. */
async function expectErrorPage(res: Response, pattern: RegExp) {
  expect(res.status).toBe(400);
  expect(res.headers.get('Location')).toBeNull();
  expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  expect(res.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
  expect(await res.text()).toMatch(pattern);
}

/** An error sent back to the verified redirect URI with state and iss (RFC 9207). */
function expectErrorRedirect(res: Response, error: string, to = CALLBACK) {
  const params = redirectParams(res, to);
  expect({ error: params.get('error'), state: params.get('state'), iss: params.get('iss') }).toEqual({
    error,
    state: 'the-state',
    iss: ORIGIN,
  });
  expect(params.get('code')).toBeNull();
  return params;
}

describe('authorization endpoint: client and redirect URI are verified before anything redirects', () => {
  it('unknown, missing or repeated client_id -> error page', async () => {
    await expectErrorPage(await fetch(authorizeUrl({ client_id: 'nobody', response_type: 'code', redirect_uri: CALLBACK })), /unknown/);
    await expectErrorPage(await fetch(authorizeUrl({ response_type: 'code', redirect_uri: CALLBACK })), /client_id/);
    const instance = await registerInstance(fetch);
    const twice = `${AUTHORIZE}?client_id=${instance.clientId}&client_id=${instance.clientId}&response_type=code`;
    await expectErrorPage(await fetch(twice), /repeated/);
  });

  it('unregistered or not exactly matching redirect_uri -> error page', async () => {
    const instance = await registerInstance(fetch);
    for (const uri of [
      'https://evil.example/callback',
      'https://localhost/callback/',
      'https://localhost/callback?x=1',
      'https://localhost/Callback',
      'https://localhost:8443/callback',
      'https://localhost/callback#frag',
      'javascript:alert(1)',
    ]) {
      await expectErrorPage(await fetch(authorizeUrl(codeRequest(instance, { redirect_uri: uri }))), /not registered/);
    }
    // Even with other errors in the request, a bad redirect URI means no redirect.
    await expectErrorPage(
      await fetch(authorizeUrl({ client_id: instance.clientId, redirect_uri: 'https://evil.example/cb' })),
      /not registered/,
    );
  });

  it('several registered redirect URIs and none given -> error page; one registered may be omitted', async () => {
    const two = await registerInstance(fetch, { redirect_uris: [CALLBACK, 'https://localhost/other'] });
    await expectErrorPage(await fetch(authorizeUrl(codeRequest(two))), /redirect_uri parameter is required/);
    const one = await registerInstance(fetch);
    const page = await fetch(authorizeUrl(codeRequest(one)));
    expect(page.status).toBe(200);
  });

  it('a disabled or deleted template makes its instances unknown here', async () => {
    const instance = await registerInstance(fetch);
    await editTemplate(fetch, instance.templateName, { enabled: false });
    await expectErrorPage(await fetch(authorizeUrl(codeRequest(instance))), /unknown or not active/);
    await adminCall(fetch, 'DELETE', `/templates/${instance.templateName}`);
    await expectErrorPage(await fetch(authorizeUrl(codeRequest(instance))), /unknown or not active/);
  });

  it('native apps: a private-use scheme works and a loopback redirect may change its port (RFC 8252)', async () => {
    const user = await createUser(fetch);
    const app = await registerInstance(fetch, { redirect_uris: ['myapp://callback', 'http://127.0.0.1/oauth', 'http://[::1]:8000/oauth'] });
    const custom = await logIn(browser(fetch), codeRequest(app, { redirect_uri: 'myapp://callback' }), user);
    expect(redirectParams(custom, 'myapp://callback').get('code')).toMatch(CODE_SHAPE);
    const loopback = await logIn(browser(fetch), codeRequest(app, { redirect_uri: 'http://127.0.0.1:49152/oauth' }), user);
    expect(redirectParams(loopback, 'http://127.0.0.1:49152/oauth').get('code')).toBeTruthy();
    const v6 = await logIn(browser(fetch), codeRequest(app, { redirect_uri: 'http://[::1]:1234/oauth' }), user);
    expect(redirectParams(v6, 'http://[::1]:1234/oauth').get('code')).toBeTruthy();
    // Only the port may vary, and only for loopback http.
    for (const uri of [
      'http://127.0.0.1:49152/other',
      'http://127.0.0.2:49152/oauth',
      'http://x@127.0.0.1:49152/oauth',
      'myapp://callback2',
    ]) {
      await expectErrorPage(await fetch(authorizeUrl(codeRequest(app, { redirect_uri: uri }))), /not registered/);
    }
    const https = await registerInstance(fetch);
    await expectErrorPage(
      await fetch(authorizeUrl(codeRequest(https, { redirect_uri: 'https://localhost:9999/callback' }))),
      /not registered/,
    );
  });

  it('a redirect URI added to the template works at once', async () => {
    const instance = await registerInstance(fetch);
    const added = 'https://localhost/added';
    await expectErrorPage(await fetch(authorizeUrl(codeRequest(instance, { redirect_uri: added }))), /not registered/);
    await editTemplate(fetch, instance.templateName, { redirect_uris: [CALLBACK, added] });
    expect((await fetch(authorizeUrl(codeRequest(instance, { redirect_uri: added })))).status).toBe(200);
  });
});

describe('authorization endpoint: request errors go back to the verified redirect URI with state and iss', () => {
  it('missing or unsupported response_type', async () => {
    const instance = await registerInstance(fetch);
    const { response_type: _, ...withoutType } = codeRequest(instance);
    expectErrorRedirect(await fetch(authorizeUrl(withoutType)), 'invalid_request');
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { response_type: 'token' }))), 'unsupported_response_type');
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { response_type: 'code id_token' }))), 'unsupported_response_type');
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { response_mode: 'fragment' }))), 'invalid_request');
    expectErrorRedirect(await fetch(`${authorizeUrl(codeRequest(instance))}&scope=openid`), 'invalid_request');
  });

  it('bad PKCE parameters: plain refused, malformed challenge, method without challenge', async () => {
    const instance = await registerInstance(fetch);
    const { challenge } = await pkce();
    const bad: Record<string, string>[] = [
      { code_challenge: challenge, code_challenge_method: 'plain' },
      { code_challenge: challenge },
      { code_challenge: 'too-short', code_challenge_method: 'S256' },
      { code_challenge: `${challenge.slice(0, 42)}+`, code_challenge_method: 'S256' },
      { code_challenge_method: 'S256' },
    ];
    const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = codeRequest(instance);
    for (const extra of bad) {
      expectErrorRedirect(await fetch(authorizeUrl({ ...withoutPkce, ...extra })), 'invalid_request');
    }
    expect((await fetch(authorizeUrl(codeRequest(instance, { code_challenge: challenge, code_challenge_method: 'S256' })))).status).toBe(
      200,
    );
  });

  it('scope beyond the template -> invalid_scope; removing openid from the template applies to the next request', async () => {
    const instance = await registerInstance(fetch);
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { scope: 'openid admin' }))), 'invalid_scope');
    expect((await fetch(authorizeUrl(codeRequest(instance)))).status).toBe(200);
    await editTemplate(fetch, instance.templateName, { scopes: ['profile'] });
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance))), 'invalid_scope');
  });

  it('a client without the code capability -> unauthorized_client', async () => {
    const machine = await registerInstance(fetch, { capabilities: ['client_credentials'] });
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(machine))), 'unauthorized_client');
  });

  it('acr_values must name an authenticator of the template; bad prompt and max_age are invalid_request', async () => {
    const instance = await registerInstance(fetch);
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { acr_values: 'webauthn' }))), 'invalid_request');
    expect((await fetch(authorizeUrl(codeRequest(instance, { acr_values: 'webauthn username-password' })))).status).toBe(200);
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { prompt: 'none login' }))), 'invalid_request');
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { prompt: 'bogus' }))), 'invalid_request');
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { max_age: '-1' }))), 'invalid_request');
  });

  it('an oversized or repeated state is refused and not echoed', async () => {
    const instance = await registerInstance(fetch);
    const long = redirectParams(await fetch(authorizeUrl(codeRequest(instance, { state: 'x'.repeat(3000) }))));
    expect({ error: long.get('error'), state: long.get('state') }).toEqual({ error: 'invalid_request', state: null });
    const twice = redirectParams(await fetch(`${authorizeUrl(codeRequest(instance))}&state=other`));
    expect({ error: twice.get('error'), state: twice.get('state') }).toEqual({ error: 'invalid_request', state: null });
  });

  it('request_uri is not supported; a request object of a client without keys is an error page (test/request-object.test.ts)', async () => {
    const instance = await registerInstance(fetch);
    await expectErrorPage(await fetch(authorizeUrl(codeRequest(instance, { request: 'eyJ.x.y' }))), /invalid_request_object/);
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { request_uri: 'urn:x' }))), 'request_uri_not_supported');
  });

  it('prompt=none without a session -> login_required', async () => {
    const instance = await registerInstance(fetch);
    expectErrorRedirect(await fetch(authorizeUrl(codeRequest(instance, { prompt: 'none' }))), 'login_required');
  });

  it('an unreachable ledger fails closed: temporarily_unavailable, no code', async () => {
    const broken = serverWithUnreachableLedger('issueCode');
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    expectErrorRedirect(await logIn(browser(broken), codeRequest(instance), user), 'temporarily_unavailable');
  });
});

describe('login page', () => {
  it('is plain HTML with labels, a CSRF token, no framing, no caching and no CORS', async () => {
    const instance = await registerInstance(fetch);
    const res = await fetch(authorizeUrl(codeRequest(instance, { login_hint: 'ali"ce' })), { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(res.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain('<script');
    expect(html).toContain(`<form method="post" action="${AUTHORIZE}">`);
    expect(html).toContain('<label for="username">');
    expect(html).toContain('<label for="password">');
    expect(html).toContain('id="username" name="username"');
    expect(html).toContain('value="ali&quot;ce"');
    const fields = hiddenFields(html);
    expect(fields).toMatchObject({
      client_id: instance.clientId,
      response_type: 'code',
      scope: 'openid',
      state: 'the-state',
      login_hint: 'ali"ce',
    });
    expect(fields.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const preflight = await fetch(AUTHORIZE, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('success: session cookie HttpOnly; Secure; SameSite=Lax, redirect with code, state and iss', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const b = browser(fetch);
    const res = await logIn(b, codeRequest(instance), user);
    const params = redirectParams(res);
    expect(params.get('code')).toMatch(CODE_SHAPE);
    expect(params.get('state')).toBe('the-state');
    expect(params.get('iss')).toBe(ORIGIN);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const session = res.headers.getSetCookie().find((line) => line.startsWith('__Host-edge_dcr_session='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Max-Age=\d+/);
  });

  it('wrong password and unknown user get the same page with the same generic message, and no code', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const wrong = await logIn(browser(fetch), codeRequest(instance), { username: user.username, password: 'not-the-password' });
    const unknown = await logIn(browser(fetch), codeRequest(instance), {
      username: `${user.username}-nobody`,
      password: 'not-the-password',
    });
    expect(wrong.status).toBe(200);
    expect(unknown.status).toBe(200);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toContain('The username or password is not correct.');
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(a)).toBe(strip(b));
    expect(wrong.headers.get('Location')).toBeNull();
    expect(wrong.headers.getSetCookie().some((line) => line.startsWith('__Host-edge_dcr_session='))).toBe(false);
  });

  it('CSRF: a missing cookie or a token that does not match refuses the login', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const b = browser(fetch);
    const fields = hiddenFields(await (await b.fetch(authorizeUrl(codeRequest(instance)))).text());
    const credentials = { username: user.username, password: user.password };
    // Another browser (the attacker's page posting cross-site) has no CSRF cookie.
    const noCookie = await fetch(AUTHORIZE, form({ ...fields, ...credentials }));
    expect(noCookie.status).toBe(403);
    expect(noCookie.headers.get('Location')).toBeNull();
    const wrongToken = await b.fetch(AUTHORIZE, form({ ...fields, ...credentials, csrf_token: 'x'.repeat(43) }));
    expect(wrongToken.status).toBe(403);
    // A forged cookie without our signature does not count either.
    const forged = browser(fetch);
    forged.cookies.set('__Host-edge_dcr_csrf', 'attacker-value');
    expect((await forged.fetch(AUTHORIZE, form({ ...fields, ...credentials, csrf_token: 'attacker-value' }))).status).toBe(403);
    expect(redirectParams(await b.fetch(AUTHORIZE, form({ ...fields, ...credentials }))).get('code')).toBeTruthy();
  });

  it('a session skips the form; prompt=login and max_age bring it back; prompt=none then works', async () => {
    const clock = manualClock();
    const timed = testServer({ clock: () => clock.now });
    const instance = await registerInstance(timed);
    const user = await createUser(timed);
    const b = browser(timed);
    redirectParams(await logIn(b, codeRequest(instance), user));

    expect(redirectParams(await b.fetch(authorizeUrl(codeRequest(instance)))).get('code')).toBeTruthy();
    expect(redirectParams(await b.fetch(authorizeUrl(codeRequest(instance, { prompt: 'none' })))).get('code')).toBeTruthy();
    expect((await b.fetch(authorizeUrl(codeRequest(instance, { prompt: 'login' })))).status).toBe(200);

    clock.advance(61_000);
    expect(redirectParams(await b.fetch(authorizeUrl(codeRequest(instance, { max_age: '120' })))).get('code')).toBeTruthy();
    expect((await b.fetch(authorizeUrl(codeRequest(instance, { max_age: '60' })))).status).toBe(200);
    expectErrorRedirect(await b.fetch(authorizeUrl(codeRequest(instance, { max_age: '60', prompt: 'none' }))), 'login_required');

    // A fresh login satisfies prompt=login and max_age=0.
    const relogin = await logIn(b, codeRequest(instance, { prompt: 'login', max_age: '0' }), user);
    expect(redirectParams(relogin).get('code')).toBeTruthy();
  });

  it('a session ends when its user is deleted, and a tampered session cookie is ignored', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const b = browser(fetch);
    redirectParams(await logIn(b, codeRequest(instance), user));
    const cookie = b.cookies.get('__Host-edge_dcr_session')!;
    const tampered = browser(fetch);
    tampered.cookies.set('__Host-edge_dcr_session', cookie.replace(/^[^~]+/, 'someone-else'));
    expect((await tampered.fetch(authorizeUrl(codeRequest(instance)))).status).toBe(200);
    await adminCall(fetch, 'DELETE', `/users/${user.username}`);
    expect((await b.fetch(authorizeUrl(codeRequest(instance)))).status).toBe(200);
  });

  it('other methods -> 405 with Allow', async () => {
    const res = await fetch(AUTHORIZE, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, POST');
  });

  it('accepts the authorization request by POST as well (OpenID Connect Core 3.1.2.1)', async () => {
    const instance = await registerInstance(fetch);
    const res = await fetch(AUTHORIZE, form(codeRequest(instance)));
    expect(res.status).toBe(200);
    expect(hiddenFields(await res.text()).client_id).toBe(instance.clientId);
  });
});

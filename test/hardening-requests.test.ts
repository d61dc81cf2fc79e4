import { describe, expect, it } from 'vitest';
import { adminCall, expectOAuthError, form, manualClock, registerWith, requestIat, testServer, unique } from './helpers';
import {
  AUTHORIZE,
  CALLBACK,
  TOKEN,
  authorizeUrl,
  browser,
  createUser,
  logIn,
  redirectParams,
  registerInstance,
  codeRequest,
} from './flow-helpers';

/** Issue 11, items 5, 6, 8 and 9: max_age=0, repeated parameters, introspection by public clients, cookie prefixes. */
const fetch = testServer();
describe('max_age=0 forces a login, as prompt=login does (item 5)', () => {
  it('within the same second as the last login', async () => {
    const clock = manualClock();
    const timed = testServer({ clock: () => clock.now });
    const instance = await registerInstance(timed);
    const user = await createUser(timed);
    const b = browser(timed);
    redirectParams(await logIn(b, codeRequest(instance), user));
    const page = await b.fetch(authorizeUrl(codeRequest(instance, { max_age: '0' })));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
  });
});

describe('a repeated parameter is refused, empty first copy or not (item 6)', () => {
  it('client_secret, client_id and grant_type at the token endpoint', async () => {
    const instance = await registerInstance(fetch, { capabilities: ['client_credentials'], redirect_uris: [], scopes: ['read'] });
    const raw = (body: string) => fetch(TOKEN, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    const id = encodeURIComponent(instance.clientId);
    const secret = encodeURIComponent(instance.secret);
    expect((await raw(`grant_type=client_credentials&client_id=${id}&client_secret=${secret}`)).status).toBe(200);
    await expectOAuthError(
      await raw(`grant_type=client_credentials&client_id=${id}&client_secret=&client_secret=${secret}`),
      400,
      'invalid_request',
    );
    await expectOAuthError(
      await raw(`grant_type=client_credentials&client_id=&client_id=${id}&client_secret=${secret}`),
      400,
      'invalid_request',
    );
    await expectOAuthError(
      await raw(`grant_type=&grant_type=client_credentials&client_id=${id}&client_secret=${secret}`),
      400,
      'invalid_request',
    );
  });

  it('redirect_uri at the authorization endpoint gets an error page, never a redirect', async () => {
    const instance = await registerInstance(fetch);
    const query = new URLSearchParams(codeRequest(instance));
    const res = await fetch(`${AUTHORIZE}?${query}&redirect_uri=&redirect_uri=${encodeURIComponent(CALLBACK)}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('Location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri parameter is repeated');
  });
});

describe('public clients cannot introspect (item 8)', () => {
  it('a client with token_endpoint_auth_method none gets invalid_client', async () => {
    const app = await registerPublicClient();
    await expectOAuthError(await fetch('/oauth/v2/oauth-introspect', form({ token: 'anything', client_id: app })), 401, 'invalid_client');
  });
});

/** A public dynamic client, registered without a template (non-templatized registration on, its registrar flagged). */
async function registerPublicClient(): Promise<string> {
  const open = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });
  const registrarId = unique('registrar');
  const created = await adminCall(open, 'POST', '/clients', { client_id: registrarId, may_register_clients: true });
  const { client_secret } = (await created.json()) as { client_secret: string };
  const iat = await requestIat(open, { clientId: registrarId, secret: client_secret });
  const res = await registerWith(open, iat, { redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

describe('cookies carry the __Host- prefix (item 9)', () => {
  it('the session and CSRF cookies: Secure, Path=/, no Domain', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const b = browser(fetch);
    const page = await b.fetch(authorizeUrl(codeRequest(instance)));
    const res = await logIn(b, codeRequest(instance), user);
    const cookies = [...page.headers.getSetCookie(), ...res.headers.getSetCookie()];
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__Host-/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; Path=\/(;|$)/);
      expect(cookie).not.toMatch(/; Domain=/i);
    }
    expect(b.cookies.has('__Host-edge_dcr_session')).toBe(true);
    // The session still works under its new name.
    expect(redirectParams(await b.fetch(authorizeUrl(codeRequest(instance)))).get('code')).toBeTruthy();
  });
});

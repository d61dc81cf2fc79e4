import { env } from 'cloudflare:test';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { settingsOf } from '../src/env';
import {
  adminCall,
  countInstances,
  editTemplate,
  manualClock,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
} from './helpers';
import { consolePost, cookiesOf, fieldValue, signInToConsole } from './console-helpers';

const clock = manualClock();
const fetch = testServer({ clock: () => clock.now });

const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('__Host-edge_dcr_admin='));
const get = (path: string, cookie: string) => fetch(path, { headers: { Cookie: cookie }, redirect: 'manual' });
const signedOut = (res: Response) => res.status === 303 && res.headers.get('Location') === '/admin/sign-in';

describe('console sign-in with the admin token', () => {
  it('gives a __Host- session cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain, 30 minutes', async () => {
    const page = await fetch('/admin/sign-in');
    const res = await fetch('/admin/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiesOf(page).join('; ') },
      body: new URLSearchParams({ admin_token: env.ADMIN_TOKEN, csrf_token: fieldValue(await page.text(), 'csrf_token') }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res)!;
    const attributes = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['max-age=1800', 'path=/', 'httponly', 'secure', 'samesite=strict']));
    expect(attributes.some((a) => a.startsWith('domain'))).toBe(false);
  });

  it('a wrong token, or a form without its CSRF token, gets no session', async () => {
    const page = await fetch('/admin/sign-in');
    const csrf = fieldValue(await page.text(), 'csrf_token');
    const post = (fields: Record<string, string>, cookie = cookiesOf(page).join('; ')) =>
      fetch('/admin/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });
    const wrong = await post({ admin_token: `${env.ADMIN_TOKEN}x`, csrf_token: csrf });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That is not the admin token.');
    expect(sessionCookie(wrong)).toBeUndefined();
    for (const refused of [
      await post({ admin_token: env.ADMIN_TOKEN }),
      await post({ admin_token: env.ADMIN_TOKEN, csrf_token: csrf }, ''),
    ]) {
      expect(refused.status).toBe(403);
      expect(sessionCookie(refused)).toBeUndefined();
    }
  });

  it('ends after 30 minutes without use, and after 8 hours whatever the use', async () => {
    const { cookie } = await signInToConsole(fetch);
    let current = cookie;
    const visit = async () => {
      const res = await get('/admin/', current);
      const renewed = sessionCookie(res);
      if (renewed) current = renewed.split(';')[0]!;
      return res;
    };
    clock.advance(29 * 60_000);
    expect((await visit()).status).toBe(200);
    clock.advance(29 * 60_000);
    expect((await visit()).status).toBe(200);
    clock.advance(31 * 60_000);
    expect(signedOut(await visit())).toBe(true);

    current = (await signInToConsole(fetch)).cookie;
    for (let minutes = 25; minutes < 8 * 60; minutes += 25) {
      clock.advance(25 * 60_000);
      expect((await visit()).status, `after ${minutes} minutes`).toBe(200);
    }
    clock.advance(25 * 60_000);
    expect(signedOut(await visit())).toBe(true);
  });

  it('signing out clears the cookie; a new admin token ends every session', async () => {
    const session = await signInToConsole(fetch);
    const out = await consolePost(fetch, session, '/admin/sign-out', {});
    expect(signedOut(out)).toBe(true);
    expect(sessionCookie(out)).toMatch(/^__Host-edge_dcr_admin=;.*Max-Age=0/i);

    const rotated = testServer({ clock: () => clock.now }, { ADMIN_TOKEN: 'a-new-admin-token-0123456789abcdefghij' });
    const other = await signInToConsole(fetch);
    expect(signedOut(await rotated('/admin/', { headers: { Cookie: other.cookie }, redirect: 'manual' }))).toBe(true);
  });
});

describe('console forms', () => {
  it('a post without this session’s CSRF token changes nothing', async () => {
    const session = await signInToConsole(fetch);
    const username = unique('csrf');
    const forged = await fetch('/admin/users/new', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: session.cookie },
      body: new URLSearchParams({ username, password: 'a long password', csrf_token: (await signInToConsole(fetch)).csrf }).toString(),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect((await adminCall(fetch, 'GET', `/users/${username}`)).status).toBe(404);
    expect((await consolePost(fetch, session, '/admin/users/new', { username, password: 'a long password' })).status).toBe(303);
    expect((await adminCall(fetch, 'GET', `/users/${username}`)).status).toBe(200);
  });

  it('a template made in the form is what the schema makes of it; errors come back next to their field', async () => {
    const session = await signInToConsole(fetch);
    const name = unique('form');
    const fields: [string, string][] = [
      ['name', name],
      ['capabilities', 'code'],
      ['redirect_uris', 'https://localhost/callback#fragment'],
      ['scopes', 'openid profile'],
      ['authenticators', 'username-password'],
      ['token_endpoint_auth_methods', 'client_secret_post'],
      ['registration', 'clients'],
      ['registration.allowed_clients', 'server'],
      ['access_token_ttl', '600'],
    ];
    const refused = await consolePost(fetch, session, '/admin/templates/new', fields);
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(/class="error" id="f-redirect_uris-error">0: must not contain a fragment/);
    expect(html).toContain(`value="${name}"`);

    fields[2] = ['redirect_uris', 'https://localhost/callback'];
    const created = await consolePost(fetch, session, '/admin/templates/new', fields);
    expect(created.headers.get('Location')).toBe(`/admin/templates/${name}`);
    const template = (await (await adminCall(fetch, 'GET', `/templates/${name}`)).json()) as Record<string, unknown>;
    expect(template).toMatchObject({
      capabilities: ['code'],
      redirect_uris: ['https://localhost/callback'],
      scopes: ['openid', 'profile'],
      registration: { mode: 'clients', allowed_clients: ['server'] },
      token_endpoint_auth_methods: ['client_secret_post'],
      access_token_ttl: 600,
      refresh_token_ttl: 3600,
      enabled: false,
    });
  });

  it('an edit form drawn before someone else’s change is refused, and writes nothing', async () => {
    const session = await signInToConsole(fetch);
    const { templateName } = await setUpTemplate(fetch);
    const form = await (await get(`/admin/templates/${templateName}/edit`, session.cookie)).text();
    expect((await adminCall(fetch, 'PATCH', `/templates/${templateName}`)).status).toBe(415);
    await editTemplate(fetch, templateName, { scopes: ['email'] });
    const stale = await consolePost(fetch, session, `/admin/templates/${templateName}/edit`, [
      ['etag', fieldValue(form, 'etag')],
      ['capabilities', 'code'],
      ['redirect_uris', 'https://localhost/callback'],
      ['scopes', 'openid'],
      ['registration', 'clients'],
      ['registration.allowed_clients', 'server'],
      ['enabled', 'on'],
    ]);
    expect(stale.status).toBe(409);
    expect(await (await adminCall(fetch, 'GET', `/templates/${templateName}`)).json()).toMatchObject({ scopes: ['email'], version: 2 });
  });

  it('a destructive action asks first: the confirmation page says what goes, and only its form does it', async () => {
    const session = await signInToConsole(fetch);
    const { registrar, templateName } = await setUpTemplate(fetch);
    for (let i = 0; i < 2; i++) await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
    const confirm = await get(`/admin/templates/${templateName}/delete`, session.cookie);
    expect(await confirm.text()).toContain('Its 2 instance(s) are deleted with it');
    expect(await countInstances(templateName)).toBe(2);
    expect((await consolePost(fetch, session, `/admin/templates/${templateName}/delete`, {})).status).toBe(303);
    expect(await countInstances(templateName)).toBe(0);
    expect((await adminCall(fetch, 'GET', `/templates/${templateName}`)).status).toBe(404);
  });
});

describe('console activity', () => {
  it('what the console does is in the audit trail: on the overview and the activity page, filtered', async () => {
    const session = await signInToConsole(fetch);
    const username = unique('audited');
    expect((await consolePost(fetch, session, '/admin/users/new', { username, password: 'a long password' })).status).toBe(303);
    expect((await consolePost(fetch, session, `/admin/users/${username}/delete`, {})).status).toBe(303);

    const overview = await (await get('/admin/', session.cookie)).text();
    expect(overview).toContain('Recent activity');
    expect(overview).toContain(`href="/admin/users/${username}"`);

    const created = await (await get(`/admin/audit?type=user.created&user=${username}`, session.cookie)).text();
    expect(created).toContain('>user.created</code>');
    expect(created).not.toContain('>user.deleted</code>');
    const all = await (await get(`/admin/audit?type=&user=${username}`, session.cookie)).text();
    expect(all).toContain('>user.deleted</code>');

    const refused = await get('/admin/audit?since=yesterday', session.cookie);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('since: must be a time in ISO 8601');
  });
});

describe('Cloudflare Access in front of /admin', () => {
  const TEAM = 'edge-dcr-test.cloudflareaccess.com';
  const AUD = 'f1d2a3c4e5b6a7d8c9e0f1a2b3c4d5e6';
  let accessKeys: ReturnType<typeof createLocalJWKSet>;
  let sign: (claims: Record<string, unknown>, key?: CryptoKey) => Promise<string>;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    otherKey = (await generateKeyPair('RS256')).privateKey;
    accessKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'access-1', alg: 'RS256' }] });
    sign = (claims, key = privateKey) => {
      const now = Math.floor(clock.now / 1000);
      const payload = {
        iss: `https://${TEAM}`,
        aud: [AUD],
        sub: 'access-user-1',
        email: 'ada@example.com',
        iat: now,
        exp: now + 3600,
        ...claims,
      };
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'access-1' }).sign(key);
    };
  });

  const behindAccess = () => testServer({ clock: () => clock.now, accessKeys }, { ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD });

  it('a valid assertion is an admin, for the console and the API, without the admin token', async () => {
    const access = behindAccess();
    const headers = { 'Cf-Access-Jwt-Assertion': await sign({}) };
    const overview = await access('/admin/', { headers, redirect: 'manual' });
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain('Cloudflare Access: ada@example.com');
    expect(sessionCookie(overview)).toBeUndefined();
    expect((await access('/admin/v1/settings', { headers })).status).toBe(200);
  });

  it('a foreign, forged or expired assertion is not', async () => {
    const access = behindAccess();
    const assertions = {
      'another application': await sign({ aud: ['another-application-aud'] }),
      'another key': await sign({}, otherKey),
      expired: await sign({ exp: Math.floor(clock.now / 1000) - 10 }),
      'another team': await sign({ iss: 'https://other.cloudflareaccess.com' }),
      'no subject': await sign({ sub: '' }),
    };
    for (const [what, assertion] of Object.entries(assertions)) {
      const headers = { 'Cf-Access-Jwt-Assertion': assertion };
      expect(signedOut(await access('/admin/', { headers, redirect: 'manual' })), what).toBe(true);
      expect((await access('/admin/v1/settings', { headers })).status, what).toBe(401);
    }
  });

  it('without Access configured, an assertion counts for nothing', async () => {
    const headers = { 'Cf-Access-Jwt-Assertion': await sign({}) };
    expect(signedOut(await fetch('/admin/', { headers, redirect: 'manual' }))).toBe(true);
    expect((await fetch('/admin/v1/settings', { headers })).status).toBe(401);
  });

  it('the team domain and the audience go together', () => {
    expect(() => settingsOf({ ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: '' })).toThrow(/ACCESS_TEAM_DOMAIN and ACCESS_AUD/);
    expect(() => settingsOf({ ...env, ACCESS_TEAM_DOMAIN: 'https://team.example.com', ACCESS_AUD: AUD })).toThrow(/cloudflareaccess\.com/);
    expect(settingsOf({ ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD }).access).toEqual({ teamDomain: TEAM, audience: AUD });
  });
});

import { describe, expect, it } from 'vitest';
import { adminHeaders, testServer } from './helpers';
import { AUTHORIZE, TOKEN, USERINFO } from './flow-helpers';

const fetch = testServer();
const APP_ORIGIN = 'https://spa.example';

/** The endpoints a browser app (or a browser-based agent) calls from another origin. */
const CROSS_ORIGIN_ENDPOINTS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/oauth/v2/oauth-anonymous/jwks',
  TOKEN,
  '/oauth/v2/oauth-authorize/par',
  USERINFO,
  '/oauth/v2/oauth-revoke',
  '/oauth/v2/oauth-dynamic-client-registration',
];

const preflight = (path: string, method = 'POST') =>
  fetch(path, {
    method: 'OPTIONS',
    headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization,dpop' },
  });

describe('CORS', () => {
  it.each(CROSS_ORIGIN_ENDPOINTS)('%s answers a preflight with 204, the methods and the headers a client sends', async (path) => {
    const res = await preflight(path);
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST']));
    const allowed = res.headers
      .get('Access-Control-Allow-Headers')!
      .split(',')
      .map((h) => h.trim().toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'dpop']));
  });

  it('answers are readable from any origin, errors included, with WWW-Authenticate exposed', async () => {
    const discovery = await fetch('/.well-known/openid-configuration', { headers: { Origin: APP_ORIGIN } });
    expect(discovery.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const refused = await fetch(USERINFO, { headers: { Origin: APP_ORIGIN, Authorization: 'Bearer not-a-token' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(refused.headers.get('Access-Control-Expose-Headers')?.toLowerCase()).toContain('www-authenticate');
  });

  it('is absent on the authorization endpoint (login form included) and the admin API', async () => {
    for (const path of [AUTHORIZE, '/oauth/v2/oauth-session/logout', '/admin/v1/templates']) {
      const res = await preflight(path, 'GET');
      expect(res.headers.get('Access-Control-Allow-Origin'), path).toBeNull();
      expect(res.status, path).not.toBe(204);
    }
    const page = await fetch(`${AUTHORIZE}?client_id=nobody`, { headers: { Origin: APP_ORIGIN } });
    expect(page.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const form = await fetch(AUTHORIZE, {
      method: 'POST',
      headers: { Origin: APP_ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'client_id=nobody',
    });
    expect(form.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const admin = await fetch('/admin/v1/templates', { headers: { ...adminHeaders, Origin: APP_ORIGIN } });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

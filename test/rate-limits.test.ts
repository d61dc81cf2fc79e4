import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  adminHeaders,
  basic,
  expectOAuthError,
  form,
  manualClock,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  timeLeftInRateLimitWindow as timeLeftInWindow,
  unique,
  type Fetch,
} from './helpers';
import {
  AUTHORIZE,
  authorizeUrl,
  browser,
  CALLBACK,
  codeRequest,
  createUser,
  hiddenFields,
  registerInstance,
  TOKEN,
  type Instance,
} from './flow-helpers';

/** README "Operating", limits: brute force on sign-ins and client secrets, registration and IAT volume. */

const SECOND = 1000;
const HOUR = 3600 * SECOND;

afterEach(() => vi.restoreAllMocks());

/** Submits the login form as a browser would, from `ip` when given. */
async function signIn(fetch: Fetch, instance: Instance, username: string, password: string, ip?: string) {
  const b = browser((path, init = {}) => {
    const headers = new Headers(init.headers);
    if (ip) headers.set('CF-Connecting-IP', ip);
    return fetch(path, { ...init, headers });
  });
  const page = await b.fetch(authorizeUrl(codeRequest(instance, { redirect_uri: CALLBACK })));
  return b.fetch(AUTHORIZE, form({ ...hiddenFields(await page.text()), username, password }));
}

async function expectLimitedPage(res: Response, retryAfter: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('Retry-After')).toBe(retryAfter);
  const html = await res.text();
  expect(html).toContain('Too many failed sign-ins');
  expect(html).toContain('<form method="post"');
}

const rateLimitEvents = async (fetch: Fetch, query: Record<string, string>) =>
  (
    (await (
      await fetch(`/admin/v1/audit?${new URLSearchParams({ type: 'rate_limit.exceeded', ...query })}`, { headers: adminHeaders })
    ).json()) as {
      items: Record<string, any>[];
    }
  ).items;

describe('failed sign-ins per username: a lockout kept in D1, so it holds worldwide', () => {
  const clock = manualClock();
  const fetch = testServer({ clock: () => clock.now });

  it('locks after LOGIN_MAX_FAILURES: 429 with Retry-After, the right password refused unchecked; accepted once the lockout passes', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    for (let i = 1; i < 5; i++) expect((await signIn(fetch, instance, user.username, 'wrong')).status).toBe(200);
    await expectLimitedPage(await signIn(fetch, instance, user.username, 'wrong'), '60');

    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    await expectLimitedPage(await signIn(fetch, instance, user.username, user.password), '60');
    clock.advance(59 * SECOND);
    await expectLimitedPage(await signIn(fetch, instance, user.username, user.password), '1');
    expect(derive, 'no password hash is computed while locked').not.toHaveBeenCalled();

    clock.advance(2 * SECOND);
    const accepted = await signIn(fetch, instance, user.username, user.password);
    expect(accepted.status).toBe(302);
    expect(new URL(accepted.headers.get('Location')!).searchParams.get('code')).toBeTruthy();

    // Success forgets the failures: four more are answered as usual.
    for (let i = 1; i < 5; i++) expect((await signIn(fetch, instance, user.username, 'wrong')).status).toBe(200);

    const events = await rateLimitEvents(fetch, { user: user.username });
    expect(events).toEqual([
      expect.objectContaining({ client_id: instance.clientId, details: expect.objectContaining({ limit: 'login_username' }) }),
    ]);
  });

  it('each failure after a lockout doubles the next one, up to LOGIN_LOCKOUT_MAX_SECONDS', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    for (let i = 1; i < 5; i++) await signIn(fetch, instance, user.username, 'wrong');
    const waits: string[] = [];
    for (let lockout = 0; lockout < 6; lockout++) {
      const res = await signIn(fetch, instance, user.username, 'wrong');
      expect(res.status).toBe(429);
      waits.push(res.headers.get('Retry-After')!);
      clock.advance(Number(waits.at(-1)) * SECOND);
    }
    expect(waits).toEqual(['60', '120', '240', '480', '900', '900']);
  });

  it('an unknown username is answered the same way: the lockout reveals nobody', async () => {
    const instance = await registerInstance(fetch);
    const stranger = unique('nobody');
    for (let i = 1; i < 5; i++) expect((await signIn(fetch, instance, stranger, 'wrong')).status).toBe(200);
    await expectLimitedPage(await signIn(fetch, instance, stranger, 'wrong'), '60');
  });

  it('failures are forgotten 12 hours after the last one', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    for (let i = 1; i < 5; i++) await signIn(fetch, instance, user.username, 'wrong');
    clock.advance(12 * HOUR + SECOND);
    for (let i = 1; i < 5; i++) expect((await signIn(fetch, instance, user.username, 'wrong')).status).toBe(200);
    expect((await signIn(fetch, instance, user.username, 'wrong')).status).toBe(429);
  });
});

describe('failed sign-ins per client IP (LOGIN_IP_LIMITER)', () => {
  const fetch = testServer();

  it('over the limit, the address is refused before any password is checked; other addresses are not', { timeout: 90_000 }, async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    await timeLeftInWindow();
    // Twenty failures, each for another username (none of them locked): all answered as usual.
    for (let i = 0; i < 20; i++) expect((await signIn(fetch, instance, unique('guess'), 'wrong', ip)).status).toBe(200);
    await expectLimitedPage(await signIn(fetch, instance, unique('guess'), 'wrong', ip), '60');

    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    await expectLimitedPage(await signIn(fetch, instance, user.username, user.password, ip), '60');
    expect(derive).not.toHaveBeenCalled();
    expect((await signIn(fetch, instance, user.username, user.password, '198.51.100.1')).status).toBe(302);

    expect(await rateLimitEvents(fetch, { client_id: instance.clientId })).toEqual([
      expect.objectContaining({ ip, details: expect.objectContaining({ limit: 'login_ip' }) }),
    ]);
  });

  it('IPv6 addresses count per /64', { timeout: 90_000 }, async () => {
    const instance = await registerInstance(fetch);
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    await timeLeftInWindow();
    for (let i = 0; i < 20; i++) await signIn(fetch, instance, unique('guess'), 'wrong', `${prefix}::${(i + 1).toString(16)}`);
    await expectLimitedPage(await signIn(fetch, instance, unique('guess'), 'wrong', `${prefix}:ffff::1`), '60');
  });
});

describe('failed client authentications per client id (CLIENT_AUTH_LIMITER)', () => {
  const fetch = testServer();

  it('over the limit, failures answer 429 in the RFC shape with Retry-After; the right secret still works', {
    timeout: 90_000,
  }, async () => {
    const { registrar } = await setUpTemplate(fetch);
    const attempt = (secret: string) =>
      fetch(TOKEN, form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, secret) }));
    await timeLeftInWindow(10);
    for (let i = 0; i < 10; i++) await expectOAuthError(await attempt(`wrong-${i}`), 401, 'invalid_client');
    const limited = await attempt('wrong-again');
    await expectOAuthError(limited, 429, 'too_many_requests');
    expect(limited.headers.get('Retry-After')).toBe('60');
    // Client secrets are 256-bit: a third party's failures must not lock the real client out.
    expect((await attempt(registrar.secret)).status).toBe(200);
    expect(await rateLimitEvents(fetch, { client_id: registrar.clientId })).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ limit: 'client_auth' }) }),
    ]);
  });
});

describe('registrations and initial access tokens', () => {
  const fetch = testServer();
  const tightOn = (binding: string) => testServer({}, { [binding]: env.TIGHT_LIMITER });

  it('registrations per registrar: over the limit a 429, and the IAT is not spent', { timeout: 90_000 }, async () => {
    const limited = tightOn('REGISTRATION_REGISTRAR_LIMITER');
    const { registrar, templateName } = await setUpTemplate(fetch);
    await timeLeftInWindow(10);
    for (let i = 0; i < 3; i++)
      expect((await registerWith(limited, await requestIat(fetch, registrar), { software_id: templateName })).status).toBe(201);
    const iat = await requestIat(fetch, registrar);
    const refused = await registerWith(limited, iat, { software_id: templateName });
    expect((await expectOAuthError(refused, 429, 'too_many_requests')).error_description).toContain('registrar');
    expect(refused.headers.get('Retry-After')).toBe('60');
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
  });

  it('registrations per template', { timeout: 90_000 }, async () => {
    const limited = tightOn('REGISTRATION_TEMPLATE_LIMITER');
    const { registrar, templateName } = await setUpTemplate(fetch);
    await timeLeftInWindow(10);
    for (let i = 0; i < 3; i++) await registerWith(limited, await requestIat(fetch, registrar), { software_id: templateName });
    const refused = await registerWith(limited, await requestIat(fetch, registrar), { software_id: templateName });
    expect((await expectOAuthError(refused, 429, 'too_many_requests')).error_description).toContain(templateName);
    expect(await rateLimitEvents(fetch, { template: templateName })).toEqual([
      expect.objectContaining({ client_id: registrar.clientId, details: expect.objectContaining({ limit: 'registration_template' }) }),
    ]);
  });

  it('initial access tokens per client', { timeout: 90_000 }, async () => {
    const limited = tightOn('IAT_ISSUANCE_LIMITER');
    const { registrar } = await setUpTemplate(fetch);
    await timeLeftInWindow(10);
    for (let i = 0; i < 3; i++) await requestIat(limited, registrar);
    const ask = () =>
      limited(
        TOKEN,
        form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
      );
    const refused = await ask();
    await expectOAuthError(refused, 429, 'too_many_requests');
    expect(refused.headers.get('Retry-After')).toBe('60');
    await expectOAuthError(await ask(), 429, 'too_many_requests');
    // One audit event per client and window, however many requests are refused.
    expect(await rateLimitEvents(fetch, { client_id: registrar.clientId })).toHaveLength(1);
  });
});

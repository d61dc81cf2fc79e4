import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../src/model';
import {
  adminCall,
  adminHeaders,
  basic,
  expectOAuthError,
  form,
  json,
  manualClock,
  ORIGIN,
  registerWith,
  requestIat,
  setUpTemplate,
  templateConfig,
  testServer,
  timeLeftInRateLimitWindow,
  unique,
  type Fetch,
} from './helpers';
import {
  authorizationCode,
  browser,
  createUser,
  exchangeCode,
  hiddenFields,
  logIn,
  refresh,
  registerInstance,
  TOKEN,
} from './flow-helpers';

/** README "Operating", audit events: each type is emitted where it happens, stored, queryable and logged. */

const DAY_MS = 86_400_000;
const clock = manualClock();
const fetch = testServer({ clock: () => clock.now });

type Event = Record<string, any>;

let logged: string[];
beforeEach(() => {
  logged = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void logged.push(args.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

async function auditPage(query: Record<string, string>, server: Fetch = fetch) {
  const res = await server(`/admin/v1/audit?${new URLSearchParams(query)}`, { headers: adminHeaders });
  expect(res.status).toBe(200);
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  return (await res.json()) as { items: Event[]; next_cursor: string | null };
}
const auditEvents = async (query: Record<string, string>) => (await auditPage(query)).items;

const wrongLogin = (instance: { clientId: string }, username: string) =>
  logIn(browser(fetch), { client_id: instance.clientId, response_type: 'code', scope: 'openid' }, { username, password: 'not-it' });

async function registeredWithToken() {
  const { registrar, templateName } = await setUpTemplate(fetch, { capabilities: ['client_credentials'], redirect_uris: [], scopes: [] });
  const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
  const body = (await res.json()) as { client_id: string; registration_access_token: string };
  const path = `/oauth/v2/oauth-dynamic-client-registration/${body.client_id}`;
  const headers = { Authorization: `Bearer ${body.registration_access_token}`, 'Content-Type': 'application/json' };
  return { clientId: body.client_id, templateName, path, headers };
}

/** A fresh RS256 + ES256 key set, as `npm run keys -- rotate` would make it. */
async function freshSigningKeys(): Promise<JWK[]> {
  return Promise.all(
    (['RS256', 'ES256'] as const).map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      return { ...(await exportJWK(privateKey)), alg, kid: unique(alg.toLowerCase()) };
    }),
  );
}

interface Scenario {
  /** The query that finds the event (besides its type). */
  query: Record<string, string>;
  /** What the event must say. */
  event: Event;
}

/**
 * How each type of event comes about. Typed by every event type, and checked below at run time too: a new type
 * without a scenario here fails.
 */
const scenarios: Record<AuditEventType, () => Promise<Scenario>> = {
  async 'initial_access_token.issued'() {
    const { registrar } = await setUpTemplate(fetch);
    const iat = decodeJwt(await requestIat(fetch, registrar));
    return {
      query: { client_id: registrar.clientId },
      event: { details: { jti: iat.jti, mode: 'clients', expires_at: expect.any(String) } },
    };
  },
  async 'initial_access_token.consumed'() {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
    return { query: { client_id: registrar.clientId }, event: { details: { jti: decodeJwt(iat).jti } } };
  },
  async 'registration.created'() {
    const instance = await registerInstance(fetch);
    return {
      query: { client_id: instance.clientId },
      event: {
        template: instance.templateName,
        details: { registrar: instance.registrar.clientId, initial_access_token: expect.any(String) },
      },
    };
  },
  async 'registration.updated'() {
    const { clientId, templateName, path, headers } = await registeredWithToken();
    expect(
      (await fetch(path, { method: 'PUT', headers, body: JSON.stringify({ client_id: clientId, client_name: 'Renamed' }) })).status,
    ).toBe(200);
    return { query: { client_id: clientId }, event: { template: templateName } };
  },
  async 'registration.deleted'() {
    const { clientId, templateName, path, headers } = await registeredWithToken();
    expect((await fetch(path, { method: 'DELETE', headers })).status).toBe(204);
    return { query: { client_id: clientId }, event: { template: templateName } };
  },
  async 'login.succeeded'() {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    await authorizationCode(fetch, instance, user);
    return { query: { user: user.username }, event: { client_id: instance.clientId, subject: user.sub } };
  },
  async 'logout.succeeded'() {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const b = browser(fetch);
    await logIn(b, { client_id: instance.clientId, response_type: 'code', scope: 'openid' }, user);
    const page = await b.fetch(`/oauth/v2/oauth-session/logout?client_id=${instance.clientId}`);
    expect((await b.fetch('/oauth/v2/oauth-session/logout', form(hiddenFields(await page.text())))).status).toBe(200);
    return { query: { client_id: instance.clientId }, event: { subject: user.sub } };
  },
  async 'login.failed'() {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    expect((await wrongLogin(instance, user.username)).status).toBe(200);
    const stranger = unique('nobody');
    await wrongLogin(instance, stranger);
    expect(await auditEvents({ type: 'login.failed', user: stranger })).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'unknown_user' }) }),
    ]);
    return {
      query: { user: user.username },
      event: { client_id: instance.clientId, details: expect.objectContaining({ reason: 'wrong_password' }) },
    };
  },
  async 'authorization_code.replayed'() {
    const instance = await registerInstance(fetch);
    const code = await authorizationCode(fetch, instance, await createUser(fetch));
    expect((await exchangeCode(fetch, instance, code)).status).toBe(200);
    expect((await exchangeCode(fetch, instance, code)).status).toBe(400);
    return { query: { client_id: instance.clientId }, event: { details: { grant_id: code.split('.')[0] } } };
  },
  async 'refresh_token.replayed'() {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const tokens = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).json()) as Record<
      string,
      string
    >;
    expect((await refresh(fetch, instance, tokens.refresh_token!)).status).toBe(200);
    expect((await refresh(fetch, instance, tokens.refresh_token!)).status).toBe(400);
    return {
      query: { client_id: instance.clientId },
      event: { subject: user.sub, details: { grant_id: tokens.refresh_token!.split('.')[0] } },
    };
  },
  async 'template.created'() {
    const { templateName } = await setUpTemplate(fetch);
    return {
      query: { template: templateName },
      event: { details: { changes: expect.objectContaining({ scopes: { from: null, to: ['openid'] } }) } },
    };
  },
  async 'template.updated'() {
    const { templateName } = await setUpTemplate(fetch);
    const res = await adminCall(fetch, 'PUT', `/templates/${templateName}`, {
      ...(await templateConfig(fetch, templateName)),
      enabled: false,
    });
    expect(res.status).toBe(200);
    return { query: { template: templateName }, event: { details: { version: 2, changes: { enabled: { from: true, to: false } } } } };
  },
  async 'template.deleted'() {
    const { templateName } = await setUpTemplate(fetch);
    expect((await adminCall(fetch, 'DELETE', `/templates/${templateName}`)).status).toBe(204);
    return { query: { template: templateName }, event: {} };
  },
  async 'template.instances_deleted'() {
    const one = await registerInstance(fetch);
    expect((await adminCall(fetch, 'DELETE', `/templates/${one.templateName}/instances/${one.clientId}`)).status).toBe(204);
    const all = await registerInstance(fetch);
    expect((await adminCall(fetch, 'DELETE', `/templates/${all.templateName}/instances`)).status).toBe(200);
    expect(await auditEvents({ type: 'template.instances_deleted', template: all.templateName })).toEqual([
      expect.objectContaining({ client_id: null, details: { count: 1 } }),
    ]);
    return { query: { template: one.templateName }, event: { client_id: one.clientId, details: { count: 1 } } };
  },
  async 'template.instance_secrets_rotated'() {
    const instance = await registerInstance(fetch);
    expect((await adminCall(fetch, 'POST', `/templates/${instance.templateName}/instances/rotate-secrets`)).status).toBe(200);
    return { query: { template: instance.templateName }, event: { details: { count: 1 } } };
  },
  async 'static_client.created'() {
    const { registrar } = await setUpTemplate(fetch);
    return { query: { client_id: registrar.clientId }, event: {} };
  },
  async 'static_client.updated'() {
    const { registrar } = await setUpTemplate(fetch);
    const res = await adminCall(fetch, 'PUT', `/clients/${registrar.clientId}`, {
      capabilities: ['client_credentials'],
      client_secret: 'a-new-secret-of-at-least-32-characters',
    });
    expect(res.status).toBe(200);
    return { query: { client_id: registrar.clientId }, event: { details: { secret_changed: true } } };
  },
  async 'static_client.deleted'() {
    const { registrar } = await setUpTemplate(fetch);
    expect((await adminCall(fetch, 'DELETE', `/clients/${registrar.clientId}`)).status).toBe(204);
    return { query: { client_id: registrar.clientId }, event: {} };
  },
  async 'user.created'() {
    const user = await createUser(fetch);
    return { query: { user: user.username }, event: { subject: user.sub } };
  },
  async 'user.updated'() {
    const user = await createUser(fetch);
    expect((await adminCall(fetch, 'PUT', `/users/${user.username}`, { password: 'another long password' })).status).toBe(200);
    return { query: { user: user.username }, event: { subject: user.sub, details: { password_changed: true, claims_changed: false } } };
  },
  async 'user.deleted'() {
    const user = await createUser(fetch);
    expect((await adminCall(fetch, 'DELETE', `/users/${user.username}`)).status).toBe(204);
    return { query: { user: user.username }, event: { subject: user.sub } };
  },
  async 'signing_key.activated'() {
    const keys = await freshSigningKeys();
    const rotated = testServer({ clock: () => clock.now }, { SIGNING_KEYS: JSON.stringify(keys) });
    const { registrar } = await setUpTemplate(rotated);
    await requestIat(rotated, registrar);
    await requestIat(rotated, registrar);
    const es256 = keys.find((k) => k.alg === 'ES256')!.kid!;
    const activations = (await auditEvents({ type: 'signing_key.activated' })).filter((e) => e.details.kid === es256);
    expect(activations, 'recorded once, the first time the key signs').toHaveLength(1);
    return { query: {}, event: { details: { kid: es256, alg: 'ES256' } } };
  },
  async 'rate_limit.exceeded'() {
    const limited = testServer({ clock: () => clock.now }, { IAT_ISSUANCE_LIMITER: env.TIGHT_LIMITER });
    const { registrar } = await setUpTemplate(fetch);
    const ask = () =>
      limited(
        TOKEN,
        form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
      );
    await timeLeftInRateLimitWindow();
    // TIGHT_LIMITER allows 3 a minute (vitest.config.ts).
    for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(429);
    return {
      query: { client_id: registrar.clientId },
      event: { details: { limit: 'iat_issuance', until: new Date(clock.now + 60_000).toISOString() } },
    };
  },
};

describe('audit events', () => {
  it('every event type has a scenario below', () => {
    expect(Object.keys(scenarios).sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
  });

  for (const [type, scenario] of Object.entries(scenarios)) {
    it(`${type}: stored, readable at GET /admin/v1/audit, and logged`, { timeout: 90_000 }, async () => {
      clock.advance(1000);
      const { query, event } = await scenario();
      const events = await auditEvents({ type, ...query });
      expect(events).toContainEqual({
        id: expect.any(Number),
        type,
        time: new Date(clock.now).toISOString(),
        request_id: expect.any(String),
        client_id: query.client_id ?? null,
        template: query.template ?? null,
        user: query.user ?? null,
        subject: null,
        ip: null,
        details: {},
        ...event,
      });
      const lines = logged.map((line) => JSON.parse(line) as Event).filter((line) => line.kind === 'audit' && line.type === type);
      expect(lines.length).toBeGreaterThan(0);
    });
  }
});

describe('GET /admin/v1/audit', () => {
  async function failedLogins(count: number) {
    const instance = await registerInstance(fetch);
    const username = unique('target');
    const times: string[] = [];
    for (let i = 0; i < count; i++) {
      clock.advance(1000);
      await wrongLogin(instance, username);
      times.push(new Date(clock.now).toISOString());
    }
    return { instance, username, times };
  }

  it('pages newest first with a cursor, and filters by time range', async () => {
    const { username, times } = await failedLogins(5);
    const query = { user: username, type: 'login.failed' };
    const first = await auditPage({ ...query, limit: '2' });
    expect(first.items.map((e) => e.time)).toEqual([times[4], times[3]]);
    const second = await auditPage({ ...query, limit: '2', cursor: first.next_cursor! });
    expect(second.items.map((e) => e.time)).toEqual([times[2], times[1]]);
    const last = await auditPage({ ...query, limit: '2', cursor: second.next_cursor! });
    expect(last.items.map((e) => e.time)).toEqual([times[0]]);
    expect(last.next_cursor).toBeNull();

    // `since` inclusive, `until` exclusive.
    const range = await auditEvents({ ...query, since: times[1]!, until: times[3]! });
    expect(range.map((e) => e.time)).toEqual([times[2], times[1]]);
  });

  it('filters combine: type, client, user', async () => {
    const { instance, username } = await failedLogins(1);
    expect(await auditEvents({ user: username, client_id: instance.clientId, type: 'login.failed' })).toHaveLength(1);
    expect(await auditEvents({ user: username, client_id: 'another' })).toEqual([]);
    expect(await auditEvents({ user: username, type: 'login.succeeded' })).toEqual([]);
  });

  it('refuses bad queries, naming the parameter, and is behind the admin token', async () => {
    for (const [query, named] of [
      [{ type: 'nope' }, 'type'],
      [{ since: 'yesterday' }, 'since'],
      [{ limit: '1000' }, 'limit'],
      [{ cursor: 'x' }, 'cursor'],
    ] as const) {
      const res = await fetch(`/admin/v1/audit?${new URLSearchParams(query)}`, { headers: adminHeaders });
      expect((await expectOAuthError(res, 400, 'invalid_request')).error_description).toContain(named);
    }
    await expectOAuthError(await fetch('/admin/v1/audit'), 401, 'invalid_token');
  });
});

describe('retention and the response path', () => {
  it('events older than AUDIT_RETENTION_DAYS are deleted by later writes', async () => {
    const ancient = manualClock(Date.UTC(2001, 0, 1));
    const then = testServer({ clock: () => ancient.now }, { AUDIT_RETENTION_DAYS: '30' });
    const old = await createUser(then);
    ancient.advance(29 * DAY_MS);
    const kept = await createUser(then);
    ancient.advance(2 * DAY_MS);
    await createUser(then);
    const found = async (username: string) => (await auditPage({ user: username, type: 'user.created' }, then)).items.length;
    expect(await found(old.username)).toBe(0);
    expect(await found(kept.username)).toBe(1);
  });

  it('the audit write does not hold up the answer: it runs after the response, off its path', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const db = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            await held;
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const ctx = createExecutionContext();
    const username = unique('held');
    const res = await createApp().fetch(
      new Request(`${ORIGIN}/admin/v1/users`, json({ username, password: 'a long password' }, adminHeaders)),
      { ...env, DB: db },
      ctx,
    );
    // Answered while the audit batch is still waiting.
    expect(res.status).toBe(201);
    expect(await auditEvents({ user: username })).toEqual([]);
    release();
    await waitOnExecutionContext(ctx);
    expect(await auditEvents({ user: username })).toHaveLength(1);
  });

  it('a failed audit write is logged with the request id and does not change the answer', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const db = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'batch') return () => Promise.reject(new Error('D1 is read-only'));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const created = await testServer({}, { DB: db })('/admin/v1/users', {
      ...json({ username: unique('lost'), password: 'a long password' }, { ...adminHeaders, 'cf-ray': 'ray-audit-2' }),
    });
    expect(created.status).toBe(201);
    const lines = errors.mock.calls.map((args) => JSON.parse(args.join(' ')) as Event);
    expect(lines).toContainEqual(
      expect.objectContaining({ kind: 'error', request_id: 'ray-audit-2', cause: expect.objectContaining({ message: 'D1 is read-only' }) }),
    );
  });
});

import { env, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import { createApp } from '../src/app';
import type { AppOptions } from '../src/deps';
import type { Env } from '../src/env';

export const ORIGIN = 'https://edge-dcr.test';

export type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** The real app, driven through its fetch handler with the test runtime's D1 and Durable Objects. */
export function testServer(options: AppOptions = {}, bindings: Partial<Env> = {}): Fetch {
  const app = createApp(options);
  const boundEnv = { ...env, ...bindings };
  return async (path, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(new URL(path, ORIGIN), init), boundEnv, ctx);
    // Deferred work (waitUntil) is done before the test looks at storage.
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()) {
  const clock = {
    now: start,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
  return clock;
}

let counter = 0;
/** Names unique across the test run, since files may share storage. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export const adminHeaders = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const form = (params: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(params).toString(),
});

export const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

export async function adminCall(fetch: Fetch, method: string, path: string, body?: unknown) {
  return fetch(`/admin/v1${path}`, {
    method,
    headers: adminHeaders,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Every error answer: RFC-shaped JSON, never cached. */
export async function expectOAuthError(res: Response, status: number, error: string) {
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, error: body.error }).toEqual({ status, error });
  expect(typeof body.error_description).toBe('string');
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  return body;
}

export interface Registrar {
  clientId: string;
  secret: string;
}

/** A static client allowed to register instances of a fresh template, as in docs/flow.md step 1. */
export async function setUpTemplate(
  fetch: Fetch,
  template: Record<string, unknown> = {},
): Promise<{ registrar: Registrar; templateName: string }> {
  const registrarId = unique('server');
  const created = await adminCall(fetch, 'POST', '/clients', { client_id: registrarId, capabilities: ['client_credentials'] });
  expect(created.status).toBe(201);
  const { client_secret } = (await created.json()) as { client_secret: string };
  const templateName = unique('template-client');
  const res = await adminCall(fetch, 'POST', '/templates', {
    name: templateName,
    capabilities: ['code', 'refresh'],
    redirect_uris: ['https://localhost/callback'],
    scopes: ['openid'],
    registration: { mode: 'clients', allowed_clients: [registrarId] },
    ...template,
  });
  expect(res.status).toBe(201);
  return { registrar: { clientId: registrarId, secret: client_secret }, templateName };
}

export async function requestIat(fetch: Fetch, registrar: Registrar): Promise<string> {
  const res = await fetch(
    '/oauth/v2/oauth-token',
    form({ grant_type: 'client_credentials', client_id: registrar.clientId, client_secret: registrar.secret, scope: 'dcr' }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An IAT for registration without a template: from a fresh static client flagged `may_register_clients`. */
export async function nonTemplatizedIat(fetch: Fetch): Promise<string> {
  const clientId = unique('registrar');
  const created = await adminCall(fetch, 'POST', '/clients', { client_id: clientId, may_register_clients: true });
  expect(created.status).toBe(201);
  return requestIat(fetch, { clientId, secret: ((await created.json()) as { client_secret: string }).client_secret });
}

export const registerWith = (fetch: Fetch, iat: string, body: unknown) =>
  fetch('/oauth/v2/oauth-dynamic-client-registration', json(body, { Authorization: `Bearer ${iat}` }));

export async function countInstances(templateName: string): Promise<number> {
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM clients WHERE template_name = ?').bind(templateName).first<{ n: number }>();
  return row!.n;
}

/** A template's configuration as the admin API shows it, without the bookkeeping a PUT does not take. */
export async function templateConfig(fetch: Fetch, name: string): Promise<Record<string, unknown>> {
  const {
    version: _v,
    created_at: _c,
    updated_at: _u,
    ...config
  } = (await (await adminCall(fetch, 'GET', `/templates/${name}`)).json()) as Record<string, unknown>;
  return config;
}

/** Edits a template through the admin API the way an operator would: read, change, write back. */
export async function editTemplate(fetch: Fetch, name: string, changes: Record<string, unknown>) {
  const res = await adminCall(fetch, 'PUT', `/templates/${name}`, { ...(await templateConfig(fetch, name)), ...changes });
  expect(res.status).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Every item of an admin list, following its pages. */
export async function adminList(fetch: Fetch, path: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const res = await adminCall(fetch, 'GET', `${path}${cursor ? `?cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Record<string, any>[]; next_cursor: string | null };
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/**
 * Miniflare's rate-limit windows (60 s) are aligned to the wall clock: a test that must stay in one window starts with
 * at least `seconds` of it left, waiting for the next one otherwise. Give such a test a longer timeout.
 */
export async function timeLeftInRateLimitWindow(seconds = 20) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

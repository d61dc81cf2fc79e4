import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { adminCall, basic, form, registerWith, requestIat, setUpTemplate, testServer, unique, type Fetch, type Registrar } from './helpers';
import { durableLedger } from '../src/ledger/client';
import type { Ledger } from '../src/ledger/ledger';

/** Helpers for the authorization code flow: instances, users, a cookie-keeping browser, login, PKCE. */

export const AUTHORIZE = '/oauth/v2/oauth-authorize';
export const TOKEN = '/oauth/v2/oauth-token';
export const USERINFO = '/oauth/v2/oauth-userinfo';
export const CALLBACK = 'https://localhost/callback';

/** Authorization codes: `<grant id>.<secret>`; the grant id names a ledger shard (`<region>-<shard>-<random>`). */
export const CODE_SHAPE = /^[a-z]{2,4}-\d{1,4}-[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
/** Refresh tokens: `<grant id>.<user subject>.<secret>`. */
export const REFRESH_TOKEN_SHAPE = /^[a-z]{2,4}-\d{1,4}-[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{43}$/;

export interface Instance {
  clientId: string;
  secret: string;
  templateName: string;
  registrar: Registrar;
}

/** A template (docs/flow.md step 1, with `template` overrides) and one registered instance of it. */
export async function registerInstance(fetch: Fetch, template: Record<string, unknown> = {}): Promise<Instance> {
  const { registrar, templateName } = await setUpTemplate(fetch, template);
  const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { client_id: string; client_secret: string };
  return { clientId: body.client_id, secret: body.client_secret, templateName, registrar };
}

export interface TestUser {
  username: string;
  password: string;
  sub: string;
}

export async function createUser(fetch: Fetch, claims: Record<string, unknown> = {}): Promise<TestUser> {
  const username = unique('user');
  const password = `pw-${crypto.randomUUID()}`;
  const res = await adminCall(fetch, 'POST', '/users', { username, password, claims });
  expect(res.status).toBe(201);
  return { username, password, sub: ((await res.json()) as { sub: string }).sub };
}

/** A browser's cookie jar in front of `fetch`: sends what was set, never follows redirects. */
export function browser(fetch: Fetch) {
  const cookies = new Map<string, string>();
  const send: Fetch = async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set('Cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const res = await fetch(path, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  return { fetch: send, cookies };
}
export type Browser = ReturnType<typeof browser>;

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hidden fields of the login form, as the browser would post them. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/?>/g)) {
    fields[unescapeHtml(name!)] = unescapeHtml(value!);
  }
  return fields;
}

export const authorizeUrl = (params: Record<string, string>) => `${AUTHORIZE}?${new URLSearchParams(params)}`;

/** RFC 7636 appendix B's verifier and its S256 challenge: a fixed pair for requests built by hand. */
export const EXAMPLE_PKCE = {
  verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
};

/**
 * The parameters of an instance's authorization request for `openid`, with `extra` added or overriding. PKCE is
 * required by default (README "Public clients and PKCE"), so it carries the example challenge.
 */
export const codeRequest = (instance: Pick<Instance, 'clientId'>, extra: Record<string, string> = {}) => ({
  client_id: instance.clientId,
  response_type: 'code',
  scope: 'openid',
  state: 'the-state',
  code_challenge: EXAMPLE_PKCE.challenge,
  code_challenge_method: 'S256',
  ...extra,
});

/**
 * The helpers below add a challenge to requests that carry none, and remember its verifier by the code it yields,
 * so that `exchangeCode` sends it. A test of PKCE itself passes its own.
 */
const verifiers = new Map<string, string>();

/** `params` with a fresh S256 challenge (unless they carry one), and its verifier (known for the example challenge). */
export async function withPkce(params: Record<string, string>): Promise<{ params: Record<string, string>; verifier?: string }> {
  if ('code_challenge' in params || params.pkce === 'off') {
    const { pkce: _, ...rest } = params;
    return { params: rest, ...(params.code_challenge === EXAMPLE_PKCE.challenge ? { verifier: EXAMPLE_PKCE.verifier } : {}) };
  }
  const { verifier, challenge } = await pkce();
  return { params: { ...params, code_challenge: challenge, code_challenge_method: 'S256' }, verifier };
}

function rememberVerifier(res: Response, verifier: string | undefined) {
  const code = res.status === 302 ? new URL(res.headers.get('Location')!).searchParams.get('code') : null;
  if (code && verifier) verifiers.set(code, verifier);
}

/**
 * Opens the authorization URL, expects the login page, and submits it as a user would. A PKCE challenge is added
 * unless the params carry one (or say `pkce: 'off'`).
 */
export async function logIn(b: Browser, params: Record<string, string>, user: Pick<TestUser, 'username' | 'password'>) {
  const request = await withPkce(params);
  const page = await b.fetch(authorizeUrl(request.params));
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<form method="post"');
  const res = await b.fetch(AUTHORIZE, form({ ...hiddenFields(html), username: user.username, password: user.password }));
  rememberVerifier(res, request.verifier);
  return res;
}

/** The query of a redirect answer, after checking it goes where expected. */
export function redirectParams(res: Response, to = CALLBACK): URLSearchParams {
  expect(res.status).toBe(302);
  const location = res.headers.get('Location')!;
  expect(location.startsWith(`${to}?`)).toBe(true);
  return new URL(location).searchParams;
}

/** Logs in and returns the authorization code. */
export async function authorizationCode(fetch: Fetch, instance: Instance, user: TestUser, params: Record<string, string> = {}) {
  const res = await logIn(browser(fetch), { client_id: instance.clientId, response_type: 'code', scope: 'openid', ...params }, user);
  const code = redirectParams(res, params.redirect_uri ?? CALLBACK).get('code');
  expect(code).toBeTruthy();
  return code!;
}

/** The code exchange, with the PKCE verifier `logIn` remembered for the code unless `extra` says otherwise. */
export const exchangeCode = (fetch: Fetch, instance: Instance, code: string, extra: Record<string, string> = {}) => {
  const verifier = verifiers.get(code);
  const pkceParams: Record<string, string> = verifier && !('code_verifier' in extra) ? { code_verifier: verifier } : {};
  return fetch(
    TOKEN,
    form({ grant_type: 'authorization_code', code, ...pkceParams, ...extra }, { Authorization: basic(instance.clientId, instance.secret) }),
  );
};

export const refresh = (fetch: Fetch, instance: Instance, refreshToken: string, extra: Record<string, string> = {}) =>
  fetch(
    TOKEN,
    form(
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
      { Authorization: basic(instance.clientId, instance.secret) },
    ),
  );

/** A PKCE verifier and its S256 challenge. */
export async function pkce() {
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return { verifier, challenge };
}

/** The app with a ledger whose `method` RPC fails as when the shard cannot be reached. */
export function serverWithUnreachableLedger(method: keyof Ledger): Fetch {
  const unreachable = {
    idFromName: (name: string) => env.LEDGER.idFromName(name),
    get: () => ({ [method]: () => Promise.reject(new Error('Durable Object overloaded')) }),
  };
  return testServer({ ledger: (_, placement) => durableLedger(unreachable as unknown as typeof env.LEDGER, placement) });
}

/** A static client users log in through, and a template that registers via users of it (registration mode "users"). */
export async function userRegistrationSetUp(fetch: Fetch) {
  const loginClientId = unique('app-login');
  const created = await adminCall(fetch, 'POST', '/clients', {
    client_id: loginClientId,
    capabilities: ['code', 'client_credentials', 'refresh'],
    redirect_uris: [CALLBACK],
    scopes: ['openid'],
  });
  expect(created.status).toBe(201);
  const loginClient = { clientId: loginClientId, secret: ((await created.json()) as { client_secret: string }).client_secret } as Instance;
  const templateName = unique('field-app');
  const template = await adminCall(fetch, 'POST', '/templates', {
    name: templateName,
    capabilities: ['code', 'refresh'],
    redirect_uris: ['myapp://callback'],
    scopes: ['openid'],
    registration: { mode: 'users', via_clients: [loginClientId] },
  });
  expect(template.status).toBe(201);
  return { loginClient, templateName, user: await createUser(fetch) };
}

/** A user's sign-in through the designated client for `openid dcr`: the token answer, whose access token is an IAT. */
export async function userIatOf(fetch: Fetch, loginClient: Instance, user: TestUser) {
  const code = await authorizationCode(fetch, loginClient, user, { scope: 'openid dcr' });
  const res = await exchangeCode(fetch, loginClient, code, { redirect_uri: CALLBACK });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token?: string; scope: string; expires_in: number };
}

/** A static client of the code flow (CALLBACK, `openid`), with `config` added: its id and generated secret. */
export async function staticCodeClient(fetch: Fetch, config: Record<string, unknown> = {}): Promise<Registrar> {
  const clientId = unique('static-app');
  const created = await adminCall(fetch, 'POST', '/clients', {
    client_id: clientId,
    capabilities: ['code'],
    redirect_uris: [CALLBACK],
    scopes: ['openid'],
    ...config,
  });
  expect(created.status).toBe(201);
  return { clientId, secret: ((await created.json()) as { client_secret: string }).client_secret };
}

/** A static client that earns IATs for registration without a template (with DCR_NON_TEMPLATIZED on). */
export async function registrarWithoutTemplate(fetch: Fetch): Promise<Registrar> {
  const clientId = unique('registrar');
  const created = await adminCall(fetch, 'POST', '/clients', { client_id: clientId, may_register_clients: true });
  expect(created.status).toBe(201);
  return { clientId, secret: ((await created.json()) as { client_secret: string }).client_secret };
}

/** A template of open registration (public instances, no IAT) for the code flow and `openid`. */
export const OPEN_CODE_TEMPLATE = {
  capabilities: ['code'],
  redirect_uris: [CALLBACK],
  scopes: ['openid'],
  token_endpoint_auth_methods: ['none'],
  registration: { mode: 'open' },
};

/** Creates an open template (OPEN_CODE_TEMPLATE with `extra`) and returns its name. */
export async function createOpenTemplate(fetch: Fetch, extra: Record<string, unknown> = {}): Promise<string> {
  const name = unique('open');
  const res = await adminCall(fetch, 'POST', '/templates', { name, ...OPEN_CODE_TEMPLATE, ...extra });
  expect(res.status).toBe(201);
  return name;
}

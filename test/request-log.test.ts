import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:test';
import { adminCall, basic, form, registerWith, requestIat, setUpTemplate, testServer, type Fetch } from './helpers';
import { authorizationCode, createUser, exchangeCode, registerInstance, serverWithUnreachableLedger, TOKEN } from './flow-helpers';

/** README "Operating": one JSON line per request, errors once with the request id, never a secret. */

type Line = Record<string, unknown>;
let output: { log: string[]; error: string[] };

beforeEach(() => {
  output = { log: [], error: [] };
  vi.spyOn(console, 'log').mockImplementation((...args) => void output.log.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void output.error.push(args.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const linesOf = (texts: string[], kind: string): Line[] =>
  texts.flatMap((text) => {
    try {
      const line = JSON.parse(text) as Line;
      return line.kind === kind ? [line] : [];
    } catch {
      return [];
    }
  });
const requestLines = () => linesOf(output.log, 'request');

async function oneRequest(fetch: Fetch, path: string, init?: RequestInit) {
  output.log = [];
  const res = await fetch(path, init);
  const lines = requestLines();
  expect(lines).toHaveLength(1);
  return { res, line: lines[0]! };
}

describe('the request log', () => {
  const fetch = testServer();

  it('one line per request: request id, route pattern, method, status, duration, client id', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const { res, line } = await oneRequest(fetch, '/oauth/v2/oauth-dynamic-client-registration', {
      method: 'POST',
      headers: { Authorization: `Bearer ${iat}`, 'Content-Type': 'application/json', 'cf-ray': '8f1e2d3c4b5a6978-CDG' },
      body: JSON.stringify({ software_id: templateName }),
    });
    expect(res.status).toBe(201);
    const { client_id } = (await res.json()) as { client_id: string };
    expect(line).toEqual({
      kind: 'request',
      request_id: '8f1e2d3c4b5a6978-CDG',
      method: 'POST',
      route: '/oauth/v2/oauth-dynamic-client-registration',
      status: 201,
      duration_ms: expect.any(Number),
      client_id,
    });
    expect(res.headers.get('X-Request-Id')).toBe('8f1e2d3c4b5a6978-CDG');

    const managed = await oneRequest(fetch, `/oauth/v2/oauth-dynamic-client-registration/${client_id}`, {
      headers: { Authorization: 'Bearer wrong' },
    });
    expect(managed.line).toMatchObject({
      route: '/oauth/v2/oauth-dynamic-client-registration/:clientId',
      status: 401,
      error: 'invalid_token',
      client_id,
    });
  });

  it('without cf-ray the request id is generated, different for each request', async () => {
    const first = await oneRequest(fetch, '/.well-known/openid-configuration');
    const second = await oneRequest(fetch, '/.well-known/openid-configuration');
    expect(first.line.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.line.request_id).not.toBe(second.line.request_id);
    expect(first.res.headers.get('X-Request-Id')).toBe(first.line.request_id);
    expect(first.line.client_id).toBeNull();
  });

  it('names the client a failed authentication presented, and an admin route by its pattern', async () => {
    const { line } = await oneRequest(fetch, TOKEN, form({ grant_type: 'client_credentials' }, { Authorization: basic('nobody', 'x') }));
    expect(line).toMatchObject({ route: TOKEN, status: 401, error: 'invalid_client', client_id: 'nobody' });
    const admin = await oneRequest(fetch, '/admin/v1/templates/none', {
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` },
    });
    expect(admin.line).toMatchObject({ route: '/admin/v1/templates/:name', status: 404, error: 'not_found' });
    const unknown = await oneRequest(fetch, '/no/such/path');
    expect(unknown.line).toMatchObject({ route: null, status: 404 });
  });

  it('never carries a secret, token, code or password', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const code = await authorizationCode(fetch, instance, user);
    const res = await exchangeCode(fetch, instance, code);
    const tokens = (await res.json()) as Record<string, string>;
    await fetch(
      TOKEN,
      form({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
        client_secret: instance.secret,
        client_id: instance.clientId,
      }),
    );
    const everything = [...output.log, ...output.error].join('\n');
    expect(requestLines().length).toBeGreaterThan(5);
    const secrets = [instance.secret, user.password, code, tokens.access_token, tokens.refresh_token, tokens.id_token, env.ADMIN_TOKEN];
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toContain(code.split('.')[1]);
  });
});

describe('errors', () => {
  it('an unexpected failure is logged once, with the request id of its request line', async () => {
    const failingDb = { prepare: () => ({ bind: () => failingDb.prepare(), first: () => Promise.reject(new Error('disk on fire')) }) };
    const res = await testServer({}, { DB: failingDb as unknown as D1Database })('/admin/v1/templates/x', {
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'cf-ray': 'ray-1' },
    });
    expect(res.status).toBe(500);
    const errors = linesOf(output.error, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ request_id: 'ray-1', route: '/admin/v1/templates/:name', error: 'server_error' });
    expect(JSON.stringify(errors[0])).toContain('disk on fire');
    expect(output.error).toHaveLength(1);
    expect(requestLines()).toEqual([expect.objectContaining({ request_id: 'ray-1', status: 500, error: 'server_error' })]);
  });

  it('a failure behind an answered error (the ledger unreachable) is logged once, with its cause', async () => {
    const fetch = testServer();
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    output.error = [];
    const res = await registerWith(serverWithUnreachableLedger('consumeInitialAccessToken'), iat, { software_id: templateName });
    expect(res.status).toBe(503);
    const errors = linesOf(output.error, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ error: 'temporarily_unavailable', request_id: expect.any(String) });
    expect(JSON.stringify(errors[0])).toContain('Durable Object overloaded');
  });

  it('a client error is answered, not logged as an error', async () => {
    await adminCall(testServer(), 'GET', '/templates/none');
    expect(output.error).toEqual([]);
  });
});

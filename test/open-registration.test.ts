import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  adminCall,
  adminList,
  expectOAuthError,
  form,
  json,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  timeLeftInRateLimitWindow,
  unique,
  type Fetch,
} from './helpers';
import { TOKEN, authorizeUrl, browser, createUser, hiddenFields, pkce, redirectParams, type TestUser } from './flow-helpers';

const REGISTER = '/oauth/v2/oauth-dynamic-client-registration';
const AGENT_CALLBACK = 'http://127.0.0.1/callback';
const OPEN_TEMPLATE = {
  capabilities: ['code', 'refresh'],
  redirect_uris: [AGENT_CALLBACK, 'com.example.agent:/cb', 'https://agent.example/cb'],
  scopes: ['openid', 'mcp'],
  token_endpoint_auth_methods: ['none'],
  registration: { mode: 'open' },
};

const plain = testServer();

/** An open template, and a server whose DCR_OPEN_TEMPLATE names it. */
async function openTemplate(extra: Record<string, unknown> = {}) {
  const name = unique('agents');
  const res = await adminCall(plain, 'POST', '/templates', { name, ...OPEN_TEMPLATE, ...extra });
  expect(res.status).toBe(201);
  return { name, fetch: testServer({}, { DCR_OPEN_TEMPLATE: name }) };
}

let address = 0;
/** Each test its own client address, so that the per-IP limit of one test does not spend another's. */
const newIp = () => `198.51.100.${(address++ % 250) + 1}`;

const registerOpenly = (fetch: Fetch, metadata: Record<string, unknown>, ip = newIp()) =>
  fetch(REGISTER, json(metadata, { 'CF-Connecting-IP': ip }));

const AGENT_METADATA = {
  client_name: 'Agent Smith',
  redirect_uris: ['http://127.0.0.1:33418/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

describe('open registration', () => {
  it('without an IAT or software_id registers a public instance of DCR_OPEN_TEMPLATE, recorded as open with a hash of the IP', async () => {
    const { name, fetch } = await openTemplate();
    const res = await registerOpenly(fetch, AGENT_METADATA, '203.0.113.7');
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ software_id: name, token_endpoint_auth_method: 'none', redirect_uris: AGENT_METADATA.redirect_uris });
    expect(body.client_secret).toBeUndefined();

    const inventory = await adminList(fetch, `/templates/${name}/instances`);
    expect(inventory).toHaveLength(1);
    expect(inventory[0]).toMatchObject({ client_id: body.client_id, created_by: 'open', created_by_client: null, created_by_iat: null });
    expect(inventory[0]!.created_by_ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(inventory)).not.toContain('203.0.113.7');
  });

  it('an explicit software_id of an open template works without DCR_OPEN_TEMPLATE', async () => {
    const { name } = await openTemplate();
    const res = await registerOpenly(plain, { ...AGENT_METADATA, software_id: name });
    expect(res.status).toBe(201);
  });

  it('with DCR_OPEN_TEMPLATE unset, a registration without an IAT is 401 as before', async () => {
    await expectOAuthError(await registerOpenly(plain, AGENT_METADATA), 401, 'invalid_token');
  });

  it('a template that is not open still needs an IAT', async () => {
    const { templateName } = await setUpTemplate(plain);
    await expectOAuthError(await registerOpenly(plain, { software_id: templateName }), 401, 'invalid_token');
  });

  it('anonymous requests naming a template that needs an IAT spend nothing of its per-template limit', async () => {
    // TIGHT_LIMITER allows 3 a minute (vitest.config.ts).
    const tight = testServer({}, { REGISTRATION_TEMPLATE_LIMITER: env.TIGHT_LIMITER });
    const { registrar, templateName } = await setUpTemplate(tight);
    for (let i = 0; i < 4; i++) {
      await expectOAuthError(await registerOpenly(tight, { software_id: templateName }), 401, 'invalid_token');
    }
    expect((await registerWith(tight, await requestIat(tight, registrar), { software_id: templateName })).status).toBe(201);
  });

  it('open registrations count toward the per-template limit', { timeout: 90_000 }, async () => {
    const { name } = await openTemplate();
    const tight = testServer({}, { DCR_OPEN_TEMPLATE: name, REGISTRATION_TEMPLATE_LIMITER: env.TIGHT_LIMITER });
    await timeLeftInRateLimitWindow(10);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await registerOpenly(tight, AGENT_METADATA)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('refuses confidential clients', async () => {
    const { fetch } = await openTemplate({ token_endpoint_auth_methods: ['none', 'client_secret_basic'] });
    const res = await registerOpenly(fetch, { ...AGENT_METADATA, token_endpoint_auth_method: 'client_secret_basic' });
    const body = await expectOAuthError(res, 400, 'invalid_client_metadata');
    expect(body.error_description).toContain('none');
  });

  it('takes redirect URIs inside the template only: loopback on any port, its custom scheme URIs, its https URIs', async () => {
    const { fetch } = await openTemplate();
    const inside = ['http://127.0.0.1:51234/callback', 'com.example.agent:/cb', 'https://agent.example/cb'];
    expect((await registerOpenly(fetch, { ...AGENT_METADATA, redirect_uris: inside })).status).toBe(201);
    for (const outside of ['https://evil.example/cb', 'com.example.agent:/other', 'http://127.0.0.1:51234/elsewhere']) {
      await expectOAuthError(await registerOpenly(fetch, { ...AGENT_METADATA, redirect_uris: [outside] }), 400, 'invalid_redirect_uri');
    }
  });

  it('is limited per client IP', async () => {
    const { fetch } = await openTemplate();
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await registerOpenly(fetch, AGENT_METADATA, ip)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    const refused = await registerOpenly(fetch, AGENT_METADATA, ip);
    const body = await expectOAuthError(refused, 429, 'too_many_requests');
    expect(body.error_description).toMatch(/too many/i);
    expect(refused.headers.get('Retry-After')).toBeTruthy();
    expect((await registerOpenly(fetch, AGENT_METADATA, newIp())).status).toBe(201);
  });

  it('an open template must allow none (the admin API says so)', async () => {
    const res = await adminCall(plain, 'POST', '/templates', {
      name: unique('agents'),
      ...OPEN_TEMPLATE,
      token_endpoint_auth_methods: ['client_secret_basic'],
    });
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toContain('token_endpoint_auth_methods');
  });
});

/** Opens the authorization request in `b`, signs in if asked, and returns the answer that follows. */
async function authorizeAs(b: ReturnType<typeof browser>, user: TestUser, clientId: string) {
  const { challenge } = await pkce();
  const params = {
    client_id: clientId,
    response_type: 'code',
    scope: 'openid mcp',
    redirect_uri: 'http://127.0.0.1:33418/callback',
    state: 's',
  };
  const res = await b.fetch(authorizeUrl({ ...params, code_challenge: challenge, code_challenge_method: 'S256' }));
  if (res.status !== 200) return res;
  const html = await res.text();
  if (!html.includes('name="password"')) return new Response(html, { status: 200 });
  return b.fetch('/oauth/v2/oauth-authorize', form({ ...hiddenFields(html), username: user.username, password: user.password }));
}

const decide = (b: ReturnType<typeof browser>, consentPage: string, decision: 'approve' | 'deny') =>
  b.fetch('/oauth/v2/oauth-authorize', form({ ...hiddenFields(consentPage), consent: decision }));

describe('consent for unverified clients', () => {
  it('the first authorization shows who asks for what; once approved it is remembered for that user and client', async () => {
    const { fetch } = await openTemplate();
    const clientId = ((await (await registerOpenly(fetch, AGENT_METADATA)).json()) as { client_id: string }).client_id;
    const user = await createUser(fetch);
    const b = browser(fetch);

    const consent = await authorizeAs(b, user, clientId);
    expect(consent.status).toBe(200);
    const page = await consent.text();
    expect(page).toContain('Agent Smith (unverified)');
    expect(page).toContain('wants to');
    expect(page).toContain('mcp');
    const approved = await decide(b, page, 'approve');
    const code = redirectParams(approved, 'http://127.0.0.1:33418/callback').get('code');
    expect(code).toBeTruthy();

    // The same user again: straight back with a code.
    const again = await authorizeAs(b, user, clientId);
    expect(redirectParams(again, 'http://127.0.0.1:33418/callback').get('code')).toBeTruthy();

    // Another user is asked.
    const other = await authorizeAs(browser(fetch), await createUser(fetch), clientId);
    expect(other.status).toBe(200);
    expect(await other.text()).toContain('(unverified)');
  });

  it('denied: access_denied goes back to the client, and the next request asks again', async () => {
    const { fetch } = await openTemplate();
    const clientId = ((await (await registerOpenly(fetch, AGENT_METADATA)).json()) as { client_id: string }).client_id;
    const user = await createUser(fetch);
    const b = browser(fetch);
    const denied = await decide(b, await (await authorizeAs(b, user, clientId)).text(), 'deny');
    const params = redirectParams(denied, 'http://127.0.0.1:33418/callback');
    expect({ error: params.get('error'), state: params.get('state') }).toEqual({ error: 'access_denied', state: 's' });
    expect((await authorizeAs(b, user, clientId)).status).toBe(200);
  });

  it('a decision without the browser’s CSRF cookie is not taken', async () => {
    const { fetch } = await openTemplate();
    const clientId = ((await (await registerOpenly(fetch, AGENT_METADATA)).json()) as { client_id: string }).client_id;
    const user = await createUser(fetch);
    const b = browser(fetch);
    const page = await (await authorizeAs(b, user, clientId)).text();
    const forged = await fetch('/oauth/v2/oauth-authorize', form({ ...hiddenFields(page), consent: 'approve' }));
    expect(forged.status).not.toBe(302);
  });

  it('an instance registered with an IAT is verified: no consent page', async () => {
    const { registration: _, ...verifiedTemplate } = OPEN_TEMPLATE;
    const { registrar, templateName } = await setUpTemplate(plain, verifiedTemplate);
    const res = await registerWith(plain, await requestIat(plain, registrar), {
      software_id: templateName,
      token_endpoint_auth_method: 'none',
    });
    const clientId = ((await res.json()) as { client_id: string }).client_id;
    const answer = await authorizeAs(browser(plain), await createUser(plain), clientId);
    expect(redirectParams(answer, 'http://127.0.0.1:33418/callback').get('code')).toBeTruthy();
  });

  it('the code an approved open client gets is exchanged with PKCE and no secret', async () => {
    const { fetch } = await openTemplate();
    const clientId = ((await (await registerOpenly(fetch, AGENT_METADATA)).json()) as { client_id: string }).client_id;
    const user = await createUser(fetch);
    const b = browser(fetch);
    const { challenge, verifier } = await pkce();
    const redirect = 'http://127.0.0.1:33418/callback';
    const params = {
      client_id: clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirect,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const login = await b.fetch(authorizeUrl(params));
    const consent = await b.fetch(
      '/oauth/v2/oauth-authorize',
      form({ ...hiddenFields(await login.text()), username: user.username, password: user.password }),
    );
    const code = redirectParams(await decide(b, await consent.text(), 'approve'), redirect).get('code')!;
    const tokens = await fetch(
      TOKEN,
      form({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: redirect }),
    );
    expect(tokens.status).toBe(200);
  });
});

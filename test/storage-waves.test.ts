import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { adminCall, basic, json, form, registerWith, requestIat, testServer, unique } from './helpers';
import {
  CALLBACK,
  authorizeUrl,
  browser,
  createUser,
  exchangeCode,
  hiddenFields,
  pkce,
  refresh,
  registerInstance,
  TOKEN,
  type Instance,
} from './flow-helpers';
import { waveRecorder, type RoundTrip } from './support/storage-waves';
import expected from '../docs/storage-waves.json';

/**
 * The storage waves of each endpoint, counted on the real bindings (docs/architecture.md, "Round trips"). The table in
 * docs/storage-waves.json is what the latency model in bench/ multiplies; this test keeps it true.
 */
const recorder = waveRecorder();
const fetch = testServer({}, recorder.bindings);

async function wavesOf(request: () => Promise<Response>, status = 200): Promise<RoundTrip[][]> {
  recorder.reset();
  const res = await request();
  expect(res.status).toBe(status);
  return recorder.waves();
}

const measured: Record<string, RoundTrip[][]> = {};

/** A template written straight to D1, as an admin request served by another isolate would leave it. */
async function templateMadeElsewhere(registrar: string): Promise<string> {
  const name = unique('elsewhere');
  const config = {
    capabilities: ['code'],
    redirect_uris: [CALLBACK],
    scopes: ['openid'],
    authenticators: ['username-password'],
    token_endpoint_auth_methods: ['client_secret_basic'],
    registration: { mode: 'clients', allowed_clients: [registrar] },
    access_token_ttl: 3600,
    refresh_token_ttl: 3600,
    id_token_signed_response_alg: 'RS256',
  };
  await env.DB.batch([
    env.DB.prepare('INSERT INTO templates (name, config, enabled, version, created_at, updated_at) VALUES (?, ?, 1, 1, 0, 0)').bind(
      name,
      JSON.stringify(config),
    ),
    env.DB.prepare("INSERT INTO template_registrars (template_name, client_id, mode) VALUES (?, ?, 'clients')").bind(name, registrar),
  ]);
  return name;
}

/**
 * Open registration (no IAT: the insert alone, the template from isolate memory), and an unverified client's user:
 * approving on the consent page (the consent is written while the code is issued), then authorizing again with the
 * consent remembered (read with the client and the user: no wave more than any other client).
 */
async function measureUnverifiedClients(user: { username: string; password: string }) {
  const name = unique('agents');
  const template = await adminCall(fetch, 'POST', '/templates', {
    name,
    capabilities: ['code'],
    redirect_uris: [CALLBACK],
    scopes: ['openid'],
    token_endpoint_auth_methods: ['none'],
    registration: { mode: 'open' },
  });
  expect(template.status).toBe(201);
  const open = (ip: string) =>
    fetch('/oauth/v2/oauth-dynamic-client-registration', json({ software_id: name }, { 'CF-Connecting-IP': ip }));
  expect((await open('192.0.2.1')).status).toBe(201);
  let clientId = '';
  measured.open_registration = await wavesOf(async () => {
    const res = await open('192.0.2.2');
    clientId = ((await res.clone().json()) as { client_id: string }).client_id;
    return res;
  }, 201);

  const b = browser(fetch);
  const { challenge } = await pkce();
  const params = { client_id: clientId, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' };
  const login = await b.fetch(authorizeUrl(params));
  const consent = await b.fetch(
    '/oauth/v2/oauth-authorize',
    form({ ...hiddenFields(await login.text()), username: user.username, password: user.password }),
  );
  const approval = { ...hiddenFields(await consent.text()), consent: 'approve' };
  measured.consent_approval = await wavesOf(() => b.fetch('/oauth/v2/oauth-authorize', form(approval)), 302);
  measured.authorize_with_session_and_consent = await wavesOf(() => b.fetch(authorizeUrl(params)), 302);
}

/**
 * A pushed authorization request (RFC 9126): the push (the client, then the ledger row), the authorization request
 * that takes it with a session (taken while the client is read, then the code), and the login form of a pushed request
 * (as any login). Then RP-initiated logout: the confirmation page and the confirmed form, the client read once each.
 */
async function measurePushedRequestsAndLogout(instance: Instance, user: { username: string; password: string }) {
  const asInstance = { Authorization: basic(instance.clientId, instance.secret) };
  const { challenge } = await pkce();
  const params = { response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' };
  const push = () => fetch('/oauth/v2/oauth-authorize/par', form(params, asInstance));
  let requestUri = '';
  measured.par_push = await wavesOf(async () => {
    const res = await push();
    requestUri = ((await res.clone().json()) as { request_uri: string }).request_uri;
    return res;
  }, 201);

  const b = browser(fetch);
  const byReference = async () =>
    authorizeUrl({ client_id: instance.clientId, request_uri: ((await (await push()).json()) as { request_uri: string }).request_uri });
  const page = await b.fetch(authorizeUrl({ client_id: instance.clientId, request_uri: requestUri }));
  const loginForm = { ...hiddenFields(await page.text()), username: user.username, password: user.password };
  measured.login_via_par = await wavesOf(() => b.fetch('/oauth/v2/oauth-authorize', form(loginForm)), 302);
  const url = await byReference();
  measured.authorize_with_session_via_par = await wavesOf(() => b.fetch(url), 302);

  const logoutUrl = `/oauth/v2/oauth-session/logout?client_id=${instance.clientId}`;
  let confirmation = '';
  measured.logout_confirmation = await wavesOf(async () => {
    const res = await b.fetch(logoutUrl);
    confirmation = await res.clone().text();
    return res;
  });
  measured.logout = await wavesOf(() => b.fetch('/oauth/v2/oauth-session/logout', form(hiddenFields(confirmation))));
}

describe('storage waves per endpoint', () => {
  it('is the table in docs/storage-waves.json, endpoint by endpoint', async () => {
    const instance = await registerInstance(fetch, { capabilities: ['code', 'refresh'] });
    const user = await createUser(fetch);
    const { registrar } = instance;

    measured.client_credentials = await wavesOf(() =>
      fetch(TOKEN, form({ grant_type: 'client_credentials' }, { Authorization: basic(registrar.clientId, registrar.secret) })),
    );
    measured.iat_issuance = await wavesOf(() =>
      fetch(
        TOKEN,
        form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
      ),
    );
    const iat = await requestIat(fetch, registrar);
    measured.registration = await wavesOf(() => registerWith(fetch, iat, { software_id: instance.templateName }), 201);
    // A template this isolate has never read (another isolate's admin made it): one more wave to read it.
    const fresh = await templateMadeElsewhere(registrar.clientId);
    const freshIat = await requestIat(fetch, registrar);
    measured.registration_first_in_isolate = await wavesOf(() => registerWith(fetch, freshIat, { software_id: fresh }), 201);

    const b = browser(fetch);
    const { verifier, challenge } = await pkce();
    const params = {
      client_id: instance.clientId,
      response_type: 'code',
      scope: 'openid',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const page = await b.fetch(authorizeUrl(params));
    const loginForm = { ...hiddenFields(await page.text()), username: user.username, password: user.password };
    measured.login = await wavesOf(() => b.fetch('/oauth/v2/oauth-authorize', form(loginForm)), 302);
    let location = '';
    measured.authorize_with_session = await wavesOf(async () => {
      const res = await b.fetch(authorizeUrl(params));
      location = res.headers.get('Location')!;
      return res;
    }, 302);
    expect(location.startsWith(CALLBACK)).toBe(true);

    let tokens: Record<string, string> = {};
    measured.code_exchange = await wavesOf(async () => {
      const res = await exchangeCode(fetch, instance, new URL(location).searchParams.get('code')!, { code_verifier: verifier });
      tokens = await res.clone().json();
      return res;
    });
    measured.refresh = await wavesOf(async () => {
      const res = await refresh(fetch, instance, tokens.refresh_token!);
      tokens = await res.clone().json();
      return res;
    });
    measured.userinfo = await wavesOf(() =>
      fetch('/oauth/v2/oauth-userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } }),
    );
    const asInstance = { Authorization: basic(instance.clientId, instance.secret) };
    measured.introspection = await wavesOf(() => fetch('/oauth/v2/oauth-introspect', form({ token: tokens.access_token! }, asInstance)));
    measured.revocation = await wavesOf(() => fetch('/oauth/v2/oauth-revoke', form({ token: tokens.refresh_token! }, asInstance)));

    await measureUnverifiedClients(user);
    await measurePushedRequestsAndLogout(instance, user);

    expect(measured).toEqual(expected.after);
  });
});

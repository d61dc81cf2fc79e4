import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { ORIGIN, basic, json, form, registerWith, requestIat, testServer, unique } from './helpers';
import {
  CALLBACK,
  EXAMPLE_PKCE,
  authorizationCode,
  authorizeUrl,
  codeRequest,
  logIn,
  browser,
  createUser,
  exchangeCode,
  hiddenFields,
  pkce,
  refresh,
  registerInstance,
  TOKEN,
  type TestUser,
  type Instance,
  createOpenTemplate,
} from './flow-helpers';
import { waveRecorder, type RoundTrip } from './support/storage-waves';
import { assertionClaims, assertionFields, clientKey, keysInstance, signed } from './support/client-keys';
import { REGISTRATION_URL, USERINFO_URL, currentNonce, dpopKey, proof, type ProofFields } from './support/dpop';
import expected from '../docs/storage-waves.json';
import { REGIONS, shardName } from '../src/ledger/shards';
import { settingsOf } from '../src/env';

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

/** The most waves each usual path may take: the edge-speed targets (docs/architecture.md, "Round trips"). */
const CEILINGS: Record<string, number> = {
  client_credentials: 1,
  iat_issuance: 1,
  registration: 2,
  authorize_with_session: 2,
  login: 2,
  code_exchange: 2,
  refresh: 2,
  userinfo: 1,
  introspection: 1,
};

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
  const name = await createOpenTemplate(fetch);
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
 * A client authenticating with its keys (private_key_jwt): the assertion's jti is spent in the ledger once the
 * signature verified, one wave after the D1 lookup and before the grant's own ledger call (docs/architecture.md).
 */
async function measurePrivateKeyJwt(user: { username: string; password: string }) {
  const key = await clientKey();
  const instance = await keysInstance(fetch, key);
  const assertion = async () => assertionFields(await signed(key, assertionClaims(instance.clientId, ORIGIN)));
  const credentials = form({ grant_type: 'client_credentials', ...(await assertion()) });
  measured.client_credentials_private_key_jwt = await wavesOf(() => fetch(TOKEN, credentials));

  const code = new URL((await logIn(browser(fetch), codeRequest(instance), user)).headers.get('Location')!).searchParams.get('code')!;
  const exchange = form({ grant_type: 'authorization_code', code, code_verifier: EXAMPLE_PKCE.verifier, ...(await assertion()) });
  measured.code_exchange_private_key_jwt = await wavesOf(() => fetch(TOKEN, exchange));
}

/**
 * A pairwise client (its users' `sub` sealed per sector, src/oauth/subjects.ts): the token's `sub` is opened before
 * the lookup, so refresh and userinfo still read the user with the client in one round trip.
 */
async function measurePairwise(user: TestUser) {
  const instance = await registerInstance(fetch, { capabilities: ['code', 'refresh'], subject_type: 'pairwise' });
  const code = await authorizationCode(fetch, instance, user);
  const exchanged = (await (await exchangeCode(fetch, instance, code)).json()) as Record<string, string>;
  let tokens: Record<string, string> = {};
  measured.refresh_pairwise = await wavesOf(async () => {
    const res = await refresh(fetch, instance, exchanged.refresh_token!);
    tokens = await res.clone().json();
    return res;
  });
  measured.userinfo_pairwise = await wavesOf(() =>
    fetch('/oauth/v2/oauth-userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } }),
  );
}

/**
 * DPoP (RFC 9449): the proof is checked without storage, and its single use is recorded in the ledger alongside the
 * wave the request makes anyway (with the client's read at the token endpoint, with the grant's at userinfo, in the
 * IAT's own spend at registration): no wave more than without it.
 */
async function measureDPoP(user: TestUser) {
  const key = await dpopKey();
  const dpop = async (fields: ProofFields = {}) => ({ DPoP: await proof(key, { nonce: await currentNonce(fetch, key), ...fields }) });
  const instance = await registerInstance(fetch, { capabilities: ['code', 'refresh'] });
  const asInstance = { Authorization: basic(instance.clientId, instance.secret) };
  const { registrar } = instance;

  let iat = '';
  measured.client_credentials_dpop = await wavesOf(async () => {
    const res = await fetch(
      TOKEN,
      form(
        { grant_type: 'client_credentials', scope: 'dcr' },
        { Authorization: basic(registrar.clientId, registrar.secret), ...(await dpop()) },
      ),
    );
    iat = ((await res.clone().json()) as { access_token: string }).access_token;
    return res;
  });
  const registrationProof = await dpop({ htu: REGISTRATION_URL, accessToken: iat });
  measured.registration_dpop = await wavesOf(
    () => fetch(REGISTRATION_URL, json({ software_id: instance.templateName }, { Authorization: `DPoP ${iat}`, ...registrationProof })),
    201,
  );

  const { verifier, challenge } = await pkce();
  const code = await authorizationCode(fetch, instance, user, { code_challenge: challenge, code_challenge_method: 'S256' });
  let tokens: Record<string, string> = {};
  const exchangeProof = await dpop();
  measured.code_exchange_dpop = await wavesOf(async () => {
    const res = await fetch(
      TOKEN,
      form({ grant_type: 'authorization_code', code, code_verifier: verifier }, { ...asInstance, ...exchangeProof }),
    );
    tokens = await res.clone().json();
    return res;
  });
  const refreshProof = await dpop();
  measured.refresh_dpop = await wavesOf(async () => {
    const res = await fetch(
      TOKEN,
      form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { ...asInstance, ...refreshProof }),
    );
    tokens = await res.clone().json();
    return res;
  });
  const userinfoProof = await dpop({ htm: 'GET', htu: USERINFO_URL, accessToken: tokens.access_token! });
  measured.userinfo_dpop = await wavesOf(() =>
    fetch('/oauth/v2/oauth-userinfo', { headers: { Authorization: `DPoP ${tokens.access_token}`, ...userinfoProof } }),
  );
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
    await measurePrivateKeyJwt(user);
    await measurePairwise(user);
    await measureDPoP(user);
    await measurePushedRequestsAndLogout(instance, user);

    expect(measured).toEqual(expected.after);
  });

  it('stays within the ceilings of the usual paths', () => {
    const over = Object.entries(CEILINGS).filter(([endpoint, most]) => (measured[endpoint]?.length ?? Infinity) > most);
    expect(over.map(([endpoint]) => `${endpoint}: ${measured[endpoint]?.length} waves`)).toEqual([]);
  });

  it('reaches only the fixed set of ledger shards, however many tokens were minted: no object per token', () => {
    const { ledgerShards } = settingsOf(env);
    const shards = new Set(
      REGIONS.flatMap((region) =>
        Array.from({ length: ledgerShards }, (_, shard) => env.LEDGER.idFromName(shardName({ region, shard })).toString()),
      ),
    );
    expect(recorder.objects().size).toBeGreaterThan(0);
    expect([...recorder.objects()].filter((id) => !shards.has(id))).toEqual([]);
  });
});

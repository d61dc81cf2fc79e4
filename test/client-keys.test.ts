import { describe, expect, it } from 'vitest';
import {
  ORIGIN,
  adminCall,
  expectOAuthError,
  form,
  manualClock,
  registerWith,
  requestIat,
  testServer,
  unique,
  type Fetch,
} from './helpers';
import { TOKEN } from './flow-helpers';
import { fakeWeb } from './support/fake-web';
import { consolePost, signInToConsole } from './console-helpers';
import { assertionClaims, assertionFields, clientKey, jwksOf, keysInstance, signed, type ClientKey } from './support/client-keys';

/**
 * Where a client's keys come from (README "Client authentication with keys"): a static client's admin sets `jwks` or
 * `jwks_uri`; a dynamic client registers them (and RFC 7592 changes them); a `jwks_uri` is fetched with limits, cached,
 * and fetched anew at most once a minute when no key matches.
 */

const web = fakeWeb();
const clock = manualClock();
const fetch = testServer({ outboundFetch: web.outboundFetch, clock: () => clock.now }, { DCR_NON_TEMPLATIZED: 'true' });

const clientCredentials = async (server: Fetch, clientId: string, key: ClientKey) =>
  server(
    TOKEN,
    form({ grant_type: 'client_credentials', ...assertionFields(await signed(key, assertionClaims(clientId, ORIGIN, {}, clock.now))) }),
  );

/** A JWK Set published at a fresh https URL; `set` changes what it says from then on. */
function publish(keys: ClientKey[], headers: Record<string, string> = { 'Cache-Control': 'max-age=600' }) {
  const url = `https://keys.example/${unique('client')}/jwks.json`;
  let current = jwksOf(...keys);
  web.pages.set(url, () => Response.json(current, { headers }));
  return { url, set: (next: ClientKey[]) => (current = jwksOf(...next)), fetches: () => web.requests.filter((r) => r === url).length };
}

async function dynamicClient(metadata: Record<string, unknown>) {
  const registrarId = unique('registrar');
  const created = await adminCall(fetch, 'POST', '/clients', { client_id: registrarId, may_register_clients: true });
  const registrar = { clientId: registrarId, secret: ((await created.json()) as { client_secret: string }).client_secret };
  return registerWith(fetch, await requestIat(fetch, registrar), {
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    ...metadata,
  });
}

describe('static clients with keys (admin API)', () => {
  it('a static client with private_key_jwt and jwks gets no secret and authenticates with its key', async () => {
    const key = await clientKey('EdDSA');
    const clientId = unique('keyed');
    const created = await adminCall(fetch, 'POST', '/clients', {
      client_id: clientId,
      token_endpoint_auth_methods: ['private_key_jwt'],
      jwks: jwksOf(key),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('client_secret');
    expect(body).toMatchObject({ jwks: jwksOf(key), token_endpoint_auth_methods: ['private_key_jwt'] });
    expect((await clientCredentials(fetch, clientId, key)).status).toBe(200);
  });

  it('refuses private keys, keys without a method to use them, a mix of credentials, both jwks and jwks_uri, a private jwks_uri', async () => {
    const key = await clientKey();
    const refused: [string, Record<string, unknown>, string][] = [
      ['a private key', { token_endpoint_auth_methods: ['private_key_jwt'], jwks: { keys: [{ ...key.publicJwk, d: 'eA' }] } }, 'jwks'],
      ['private_key_jwt without keys', { token_endpoint_auth_methods: ['private_key_jwt'] }, 'jwks'],
      [
        'private_key_jwt with a secret method',
        { token_endpoint_auth_methods: ['client_secret_basic', 'private_key_jwt'], jwks: jwksOf(key) },
        'token_endpoint_auth_methods',
      ],
      [
        'private_key_jwt with a client_secret',
        { token_endpoint_auth_methods: ['private_key_jwt'], jwks: jwksOf(key), client_secret: 'x'.repeat(40) },
        'client_secret',
      ],
      [
        'jwks and jwks_uri',
        { token_endpoint_auth_methods: ['private_key_jwt'], jwks: jwksOf(key), jwks_uri: 'https://keys.example/jwks.json' },
        'jwks_uri',
      ],
      [
        'a jwks_uri on a private network',
        { token_endpoint_auth_methods: ['private_key_jwt'], jwks_uri: 'https://192.168.1.10/jwks.json' },
        'jwks_uri',
      ],
    ];
    for (const [what, config, field] of refused) {
      const res = await adminCall(fetch, 'POST', '/clients', { client_id: unique('keyed'), ...config });
      expect(res.status, what).toBe(400);
      expect(JSON.stringify(await res.json()), what).toContain(field);
    }
  });
});

describe('static clients with keys (console)', () => {
  it('the static client form takes a JWK Set as JSON; the client then authenticates with its key', async () => {
    const session = await signInToConsole(fetch);
    const form = await fetch('/admin/clients/new', { headers: { Cookie: session.cookie } });
    expect(await form.text()).toContain('Public keys (JWK Set)');
    const key = await clientKey();
    const clientId = unique('console-keys');
    const created = await consolePost(fetch, session, '/admin/clients/new', [
      ['client_id', clientId],
      ['capabilities', 'client_credentials'],
      ['token_endpoint_auth_methods', 'private_key_jwt'],
      ['jwks', JSON.stringify(jwksOf(key))],
      ['token_endpoint_auth_signing_alg', 'ES256'],
    ]);
    // No secret to show: straight to the client's page.
    expect(created.headers.get('Location')).toBe(`/admin/clients/${clientId}`);
    expect(await (await adminCall(fetch, 'GET', `/clients/${clientId}`)).json()).toMatchObject({
      jwks: jwksOf(key),
      token_endpoint_auth_signing_alg: 'ES256',
    });
    expect((await clientCredentials(fetch, clientId, key)).status).toBe(200);
  });
});

describe('jwks_uri', () => {
  it('a dynamic client registers a jwks_uri; the JWK Set is fetched once and then served from the isolate’s cache', async () => {
    const key = await clientKey();
    const published = publish([key]);
    const res = await dynamicClient({ jwks_uri: published.url });
    expect(res.status).toBe(201);
    const client = (await res.json()) as Record<string, string>;
    expect(client).toMatchObject({ jwks_uri: published.url, token_endpoint_auth_method: 'private_key_jwt' });
    expect(client).not.toHaveProperty('client_secret');
    expect(published.fetches()).toBe(0);
    expect((await clientCredentials(fetch, client.client_id!, key)).status).toBe(200);
    expect((await clientCredentials(fetch, client.client_id!, key)).status).toBe(200);
    expect(published.fetches()).toBe(1);
  });

  it('a key it rotated in: fetched anew when no cached key matches, but not more than once a minute', async () => {
    const [first, second] = [await clientKey(), await clientKey()];
    const published = publish([first]);
    const { client_id: clientId } = (await (await dynamicClient({ jwks_uri: published.url })).json()) as { client_id: string };
    expect((await clientCredentials(fetch, clientId, first)).status).toBe(200);
    published.set([second]);
    // Within a minute of the fetch: the unknown kid does not make the server fetch again.
    await expectOAuthError(await clientCredentials(fetch, clientId, second), 401, 'invalid_client');
    expect(published.fetches()).toBe(1);
    clock.advance(61_000);
    expect((await clientCredentials(fetch, clientId, second)).status).toBe(200);
    expect(published.fetches()).toBe(2);
    // The key it rotated out is gone, and asking for it again fetches nothing more for a minute.
    await expectOAuthError(await clientCredentials(fetch, clientId, first), 401, 'invalid_client');
    expect(published.fetches()).toBe(2);
  });

  it('a jwks_uri that fails is not fetched again for a minute; a published private key is refused', async () => {
    const key = await clientKey();
    const dead = `https://keys.example/${unique('gone')}/jwks.json`;
    const { client_id: deadClient } = (await (await dynamicClient({ jwks_uri: dead })).json()) as { client_id: string };
    for (let i = 0; i < 3; i++) {
      const body = await expectOAuthError(await clientCredentials(fetch, deadClient, key), 401, 'invalid_client');
      expect(body.error_description).toMatch(/HTTP 404/);
    }
    expect(web.requests.filter((r) => r === dead)).toHaveLength(1);

    const leaky = publish([key]);
    web.pages.set(leaky.url, () => Response.json({ keys: [{ ...key.publicJwk, d: 'eA' }] }));
    const { client_id: leakyClient } = (await (await dynamicClient({ jwks_uri: leaky.url })).json()) as { client_id: string };
    const body = await expectOAuthError(await clientCredentials(fetch, leakyClient, key), 401, 'invalid_client');
    expect(body.error_description).toMatch(/public key/);
  });

  it('a dynamic client’s registration is refused without keys or with a jwks_uri on a private host', async () => {
    await expectOAuthError(await dynamicClient({}), 400, 'invalid_client_metadata');
    await expectOAuthError(await dynamicClient({ jwks_uri: 'https://localhost/jwks.json' }), 400, 'invalid_client_metadata');
    await expectOAuthError(await dynamicClient({ jwks_uri: 'https://169.254.169.254/jwks.json' }), 400, 'invalid_client_metadata');
  });
});

describe('RFC 7592: a client with keys changes them', () => {
  const manage = (registration: Record<string, any>, metadata: Record<string, unknown>) =>
    fetch(registration.registration_client_uri, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${registration.registration_access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: registration.client_id, ...metadata }),
    });

  it('an instance replaces its jwks: the new key works, the old one no more; it keeps its method, needs keys, cannot take a secret', async () => {
    const [old, next] = [await clientKey(), await clientKey()];
    const instance = await keysInstance(fetch, old);
    const rotated = await manage(instance.registration, { jwks: jwksOf(next) });
    expect(rotated.status).toBe(200);
    const registration = (await rotated.json()) as Record<string, any>;
    expect(registration).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: jwksOf(next) });
    expect((await clientCredentials(fetch, instance.clientId, next)).status).toBe(200);
    await expectOAuthError(await clientCredentials(fetch, instance.clientId, old), 401, 'invalid_client');

    await expectOAuthError(await manage(registration, { client_name: 'No keys' }), 400, 'invalid_client_metadata');
    const toSecret = await manage(registration, { token_endpoint_auth_method: 'client_secret_basic', jwks: jwksOf(next) });
    await expectOAuthError(toSecret, 400, 'invalid_client_metadata');
    expect((await clientCredentials(fetch, instance.clientId, next)).status).toBe(200);
  });

  it('a dynamic client moves from jwks to a jwks_uri', async () => {
    const key = await clientKey();
    const registration = (await (await dynamicClient({ jwks: jwksOf(key) })).json()) as Record<string, any>;
    const published = publish([key]);
    const moved = await manage(registration, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: published.url,
    });
    expect(moved.status).toBe(200);
    const now = (await moved.json()) as Record<string, unknown>;
    expect(now).toMatchObject({ jwks_uri: published.url });
    expect(now).not.toHaveProperty('jwks');
    expect((await clientCredentials(fetch, registration.client_id, key)).status).toBe(200);
    expect(published.fetches()).toBe(1);
  });
});

describe('discovery', () => {
  it('announces private_key_jwt at the token, introspection and revocation endpoints, with the algorithms it verifies', async () => {
    const metadata = (await (await fetch('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    const algs = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];
    for (const endpoint of ['token', 'introspection', 'revocation']) {
      expect(metadata[`${endpoint}_endpoint_auth_methods_supported`]).toContain('private_key_jwt');
      expect(metadata[`${endpoint}_endpoint_auth_signing_alg_values_supported`]).toEqual(algs);
    }
    expect(metadata).toMatchObject({ request_parameter_supported: true, request_object_signing_alg_values_supported: algs });
  });
});

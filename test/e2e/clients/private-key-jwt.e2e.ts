import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIRECT_URI, admin, createTemplate, e2e, issuer } from '../context';
import { files, startLocalServer, type LocalServer } from '../local-server';
import { CookieJar, logInOverHttp } from '../login-over-http';
import { authorizationRequest, insecure, refusal, registrarConfig } from '../openid-client-setup';

/**
 * openid-client's own private_key_jwt (`client.PrivateKeyJwt`) and signed request objects
 * (`client.buildAuthorizationUrlWithJAR`) against the built Worker: an instance registered with its `jwks`, a
 * non-templatized client whose keys are served at a `jwks_uri` from a local HTTP server, through `https://<name>.test`.
 */

/** A key pair as a client holds it: the private key for the library, the public JWK it registers. */
async function keyPair(alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = randomUUID();
  return { signing: { key: privateKey, kid }, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let keysServer: LocalServer;
const served: Parameters<typeof files>[0] = {};

beforeAll(async () => {
  keysServer = await startLocalServer(files(served));
});
afterAll(() => keysServer?.close());

/** docs/flow.md steps 2 and 3 through openid-client, the instance authenticating with its key. */
async function keysInstance(softwareId: string, key: Awaited<ReturnType<typeof keyPair>>) {
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  return client.dynamicClientRegistration(
    issuer,
    { software_id: softwareId, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    client.PrivateKeyJwt(key.signing),
    { ...insecure, initialAccessToken: iat.access_token },
  );
}

describe('openid-client with private_key_jwt', () => {
  it('an instance registers its jwks, gets tokens by client_credentials and the code flow, introspects and revokes with assertions', async () => {
    const template = await createTemplate('keys', {
      capabilities: ['code', 'client_credentials', 'refresh'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid'],
      token_endpoint_auth_methods: ['client_secret_basic', 'private_key_jwt'],
    });
    const key = await keyPair();
    const instance = await keysInstance(template.name, key);
    expect(instance.clientMetadata()).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.jwk] } });
    expect(instance.clientMetadata().client_secret).toBeUndefined();

    const machine = await client.clientCredentialsGrant(instance, { scope: 'openid' });
    expect(await client.tokenIntrospection(instance, machine.access_token)).toMatchObject({
      active: true,
      client_id: instance.clientMetadata().client_id,
    });

    const { url, checks } = await authorizationRequest(instance);
    const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
    const tokens = await client.authorizationCodeGrant(instance, callback, checks);
    expect(tokens.claims()).toMatchObject({ aud: instance.clientMetadata().client_id });
    const refreshed = await client.refreshTokenGrant(instance, tokens.refresh_token!);

    await client.tokenRevocation(instance, refreshed.refresh_token!);
    expect(await client.tokenIntrospection(instance, refreshed.refresh_token!)).toEqual({ active: false });

    // Signed with a key it never registered: refused.
    const impostor = new client.Configuration(
      instance.serverMetadata(),
      instance.clientMetadata().client_id,
      {},
      client.PrivateKeyJwt((await keyPair()).signing),
    );
    client.allowInsecureRequests(impostor);
    expect(await refusal(client.clientCredentialsGrant(impostor))).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('a signed request object (buildAuthorizationUrlWithJAR) reaches the login form and ends in a code', async () => {
    const template = await createTemplate('jar', {
      capabilities: ['code'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid'],
      token_endpoint_auth_methods: ['private_key_jwt'],
    });
    const key = await keyPair('PS256');
    const instance = await keysInstance(template.name, key);
    const { url: plain, checks } = await authorizationRequest(instance);
    const url = await client.buildAuthorizationUrlWithJAR(instance, plain.searchParams, key.signing);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
    const { callback, sawLoginForm } = await logInOverHttp(url, e2e.user, new CookieJar());
    expect(sawLoginForm).toBe(true);
    const tokens = await client.authorizationCodeGrant(instance, callback, checks);
    expect(tokens.claims()).toMatchObject({ nonce: checks.expectedNonce });
  });

  it('a client registered without a template authenticates with the keys it publishes at its jwks_uri', async () => {
    const registrarId = `keys-registrar-${randomUUID().slice(0, 8)}`;
    const created = await admin('POST', '/clients', { client_id: registrarId, may_register_clients: true });
    const { client_secret: secret } = (await created.json()) as { client_secret: string };
    const registrar = await client.discovery(issuer, registrarId, secret, client.ClientSecretBasic(), insecure);
    const iat = await client.clientCredentialsGrant(registrar, { scope: 'dcr' });

    const key = await keyPair('EdDSA');
    const path = `/${randomUUID()}/jwks.json`;
    served[path] = { type: 'application/json', body: JSON.stringify({ keys: [key.jwk] }) };
    const jwksUri = `https://keys.test:${keysServer.port}${path}`;
    const registered = await client.dynamicClientRegistration(
      issuer,
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri },
      client.PrivateKeyJwt(key.signing),
      { ...insecure, initialAccessToken: iat.access_token },
    );
    expect(registered.clientMetadata()).toMatchObject({ jwks_uri: jwksUri });
    const tokens = await client.clientCredentialsGrant(registered);
    expect(await client.tokenIntrospection(registered, tokens.access_token)).toMatchObject({ active: true });
  });
});

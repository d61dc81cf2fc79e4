import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { REDIRECT_URI, createTemplate, e2e } from '../context';
import { CookieJar, logInOverHttp } from '../login-over-http';
import { codeChecks, discover, insecure, redeemCallback, register, requestIat } from '../oauth4webapi-setup';

/**
 * oauth4webapi's own private_key_jwt (`oauth.PrivateKeyJwt`) and request objects (`oauth.issueRequestObject`)
 * against the built Worker: an instance registered with its `jwks` runs client_credentials, the code flow with a signed
 * request object, introspection and revocation, every response passing the library's checks.
 */

describe('oauth4webapi with private_key_jwt', () => {
  it('registers its jwks, authenticates with assertions everywhere, and sends its authorization request signed', async () => {
    const as = await discover();
    expect(as.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(as.request_object_signing_alg_values_supported).toContain('Ed25519');

    const template = await createTemplate('keys-oauth4webapi', {
      capabilities: ['code', 'client_credentials', 'refresh'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid'],
      token_endpoint_auth_methods: ['private_key_jwt'],
    });
    const iat = await requestIat(as);

    // An Ed25519 key: oauth4webapi signs with alg "Ed25519" (RFC 9864).
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    const signing = { key: privateKey, kid: randomUUID() };
    const jwk = { ...(await exportJWK(publicKey)), kid: signing.kid, use: 'sig' };
    const instance = await register(as, iat.access_token, { software_id: template.name, jwks: { keys: [jwk] } });
    expect(instance).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt' });
    expect(instance.client_secret).toBeUndefined();
    const auth = oauth.PrivateKeyJwt(signing);

    const machine = await oauth.processClientCredentialsResponse(
      as,
      instance,
      await oauth.clientCredentialsGrantRequest(as, instance, auth, { scope: 'openid' }, insecure),
    );
    expect(machine.token_type).toBe('bearer');

    const { codeVerifier, state, nonce, params: requested } = await codeChecks();
    const request = await oauth.issueRequestObject(as, instance, requested, signing);
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: instance.client_id, request }).toString();
    const { callback, sawLoginForm } = await logInOverHttp(url, e2e.user, new CookieJar());
    expect(sawLoginForm).toBe(true);

    const tokens = await redeemCallback(as, instance, auth, callback, { state, nonce, codeVerifier });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ nonce, aud: instance.client_id });

    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, instance, await oauth.introspectionRequest(as, instance, auth, token, insecure));
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, client_id: instance.client_id });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, instance, auth, tokens.refresh_token!, insecure));
    expect((await introspect(tokens.refresh_token!)).active).toBe(false);
  });
});

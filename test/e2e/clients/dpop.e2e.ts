import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { REDIRECT_URI, TEMPLATE, createTemplate, e2e, issuer } from '../context';
import { insecure, refusal, registrarConfig } from '../openid-client-setup';
import { CookieJar, logInOverHttp } from '../login-over-http';
import { codeRequest, discover, insecure as insecure4, register, requestIat } from '../oauth4webapi-setup';

/**
 * DPoP (RFC 9449) through the two libraries that implement it, with their own support: openid-client's DPoP handle
 * (`getDPoPHandle`, passed as the `DPoP` option) and oauth4webapi's `DPoP()` with `isDPoPNonceError` for the retry
 * the server's nonces ask for (DPOP_NONCE_REQUIRED is on, as wrangler.toml ships it). For a confidential instance
 * and a public one: the code flow, refresh and userinfo, with tokens bound to the key (cnf.jkt = its thumbprint).
 */

const jktOf = (accessToken: string) => (decodeJwt(accessToken).cnf as { jkt?: string } | undefined)?.jkt;

/** A template whose instances are public (auth none, PKCE always), made once for this file. */
const publicTemplate = createTemplate('dpop-public', {
  capabilities: ['code', 'refresh'],
  redirect_uris: [REDIRECT_URI],
  scopes: ['openid'],
  token_endpoint_auth_methods: ['none'],
}).then((t) => t.name);

describe('openid-client with a DPoP handle', () => {
  async function instanceOf(softwareId: string, auth: 'secret' | 'none') {
    const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
    const metadata = auth === 'none' ? { software_id: softwareId, token_endpoint_auth_method: 'none' } : { software_id: softwareId };
    const method = auth === 'none' ? client.None() : client.ClientSecretBasic();
    return client.dynamicClientRegistration(issuer, metadata, method, { ...insecure, initialAccessToken: iat.access_token });
  }

  /** The code flow with PKCE, `dpop_jkt` naming the handle's key, and the code exchanged with the handle. */
  async function signIn(config: client.Configuration, dpop: client.DPoPHandle) {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const expectedNonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      nonce: expectedNonce,
      dpop_jkt: await dpop.calculateThumbprint(),
    });
    const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
    return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier, expectedNonce, idTokenExpected: true }, undefined, {
      DPoP: dpop,
    });
  }

  it.each(['secret', 'none'] as const)(
    'an instance (auth %s): code flow, userinfo and refresh, every access token bound to the key',
    async (auth) => {
      const config = await instanceOf(auth === 'none' ? await publicTemplate : TEMPLATE, auth);
      const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
      const jkt = await dpop.calculateThumbprint();

      const tokens = await signIn(config, dpop);
      expect(tokens.token_type).toBe('dpop');
      expect(jktOf(tokens.access_token)).toBe(jkt);
      const sub = tokens.claims()!.sub;
      expect((await client.fetchUserInfo(config, tokens.access_token, sub, { DPoP: dpop })).sub).toBe(sub);
      // Without the proof the bound token is refused.
      expect(await refusal(client.fetchUserInfo(config, tokens.access_token, sub))).toEqual({ status: 401, error: 'invalid_token' });

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
      expect(refreshed.token_type).toBe('dpop');
      expect(jktOf(refreshed.access_token)).toBe(jkt);
      expect((await client.fetchUserInfo(config, refreshed.access_token, sub, { DPoP: dpop })).sub).toBe(sub);

      // A public instance's refresh token is bound to the key too: without the handle, or with another key, it is refused.
      if (auth === 'none') {
        const other = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
        expect(await refusal(client.refreshTokenGrant(config, refreshed.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });
        expect(await refusal(client.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: other }))).toEqual({
          status: 400,
          error: 'invalid_grant',
        });
        expect((await client.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: dpop })).token_type).toBe('dpop');
      }
    },
  );

  it('a DPoP-bound initial access token registers with the DPoP scheme (dynamicClientRegistration with the handle)', async () => {
    const registrar = await registrarConfig();
    const dpop = client.getDPoPHandle(registrar, await client.randomDPoPKeyPair());
    const iat = await client.clientCredentialsGrant(registrar, { scope: 'dcr' }, { DPoP: dpop });
    expect(jktOf(iat.access_token)).toBe(await dpop.calculateThumbprint());
    const instance = await client.dynamicClientRegistration(issuer, { software_id: TEMPLATE }, client.ClientSecretBasic(), {
      ...insecure,
      initialAccessToken: iat.access_token,
      DPoP: dpop,
    });
    expect(instance.clientMetadata()).toMatchObject({ software_id: TEMPLATE, dpop_bound_access_tokens: false });
  });

  it('discovery announces the proof algorithms', async () => {
    const config = await registrarConfig();
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);
  });
});

describe('oauth4webapi with DPoP()', () => {
  const options = (DPoP: oauth.DPoPHandle) => ({ DPoP, ...insecure4 });

  /** The library's own nonce retry: a `use_dpop_nonce` refusal is tried again once, the handle holding the new nonce. */
  async function withNonceRetry<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!oauth.isDPoPNonceError(error)) throw error;
      return call();
    }
  }

  it.each(['secret', 'none'] as const)(
    'an instance (auth %s): code flow, userinfo and refresh, every access token bound to the key',
    async (auth) => {
      const server = await discover();
      const metadata =
        auth === 'none' ? { software_id: await publicTemplate, token_endpoint_auth_method: 'none' } : { software_id: TEMPLATE };
      const instance = await register(server, (await requestIat(server)).access_token, metadata);
      const clientAuth = auth === 'none' ? oauth.None() : oauth.ClientSecretBasic(instance.client_secret as string);
      const dpop = oauth.DPoP(instance, await oauth.generateKeyPair('ES256'));
      const jkt = await dpop.calculateThumbprint();

      const checks = await codeRequest(server, instance, { dpop_jkt: jkt });
      const { callback } = await logInOverHttp(checks.url, e2e.user, new CookieJar());
      const params = oauth.validateAuthResponse(server, instance, callback, checks.state);

      const tokens = await withNonceRetry(async () =>
        oauth.processAuthorizationCodeResponse(
          server,
          instance,
          await oauth.authorizationCodeGrantRequest(server, instance, clientAuth, params, REDIRECT_URI, checks.codeVerifier, options(dpop)),
          { expectedNonce: checks.nonce },
        ),
      );
      expect(tokens.token_type).toBe('dpop');
      expect(jktOf(tokens.access_token)).toBe(jkt);
      const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;

      const userinfo = await withNonceRetry(async () =>
        oauth.processUserInfoResponse(
          server,
          instance,
          sub,
          await oauth.userInfoRequest(server, instance, tokens.access_token, options(dpop)),
        ),
      );
      expect(userinfo.sub).toBe(sub);

      const refreshed = await withNonceRetry(async () =>
        oauth.processRefreshTokenResponse(
          server,
          instance,
          await oauth.refreshTokenGrantRequest(server, instance, clientAuth, tokens.refresh_token!, options(dpop)),
        ),
      );
      expect(refreshed.token_type).toBe('dpop');
      expect(jktOf(refreshed.access_token)).toBe(jkt);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    },
  );
});

import { describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { REGISTRAR, TEMPLATE, e2e } from '../context';
import { CookieJar, logInOverHttp } from '../login-over-http';
import { codeRequest, discover, insecure, redeemCallback, register, requestIat } from '../oauth4webapi-setup';

/** docs/flow.md step 3: an instance of template-client. */
const registerInstance = (as: oauth.AuthorizationServer, iat: string) => register(as, iat, { software_id: TEMPLATE });

/** A resource server's view of an access token: RFC 9068 JWT profile, signature checked against the JWKS. */
const accessTokenClaims = (as: oauth.AuthorizationServer, token: string) =>
  oauth.validateJwtAccessToken(
    as,
    new Request(`${e2e.issuer}/resource`, { headers: { Authorization: `Bearer ${token}` } }),
    e2e.issuer,
    insecure,
  );

describe('oauth4webapi against the built Worker', () => {
  it('discovery, the IAT (an RFC 9068 access token a resource server accepts) and registration', async () => {
    const as = await discover();
    expect(as.issuer).toBe(e2e.issuer);

    const iat = await requestIat(as);
    expect(iat).toMatchObject({ scope: 'dcr', token_type: 'bearer', expires_in: 300 });

    expect(await accessTokenClaims(as, iat.access_token)).toMatchObject({
      iss: e2e.issuer,
      client_id: REGISTRAR,
      sub: REGISTRAR,
      scope: 'dcr',
    });

    const instance = await registerInstance(as, iat.access_token);
    expect(instance).toMatchObject({ software_id: TEMPLATE, token_endpoint_auth_method: 'client_secret_basic' });
    expect(typeof instance.client_secret).toBe('string');
  });

  it('code flow with PKCE and nonce: callback, ID token, refresh and userinfo responses all pass its checks', async () => {
    const as = await discover();
    // RFC 9207: announced, so validateAuthResponse below requires `iss` on the callback and checks it.
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.code_challenge_methods_supported).toContain('S256');
    const instance = await registerInstance(as, (await requestIat(as)).access_token);
    const auth = oauth.ClientSecretBasic(instance.client_secret as string);

    const { url, codeVerifier, state, nonce } = await codeRequest(as, instance);
    const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());

    // state and, as discovery announces RFC 9207, iss are required here.
    const tokens = await redeemCallback(as, instance, auth, callback, { state, nonce, codeVerifier });
    const idToken = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(idToken).toMatchObject({ iss: e2e.issuer, aud: instance.client_id, nonce });
    expect(await accessTokenClaims(as, tokens.access_token)).toMatchObject({
      sub: idToken.sub,
      client_id: instance.client_id,
      scope: 'openid',
    });

    const userinfo = await oauth.processUserInfoResponse(
      as,
      instance,
      idToken.sub,
      await oauth.userInfoRequest(as, instance, tokens.access_token, insecure),
    );
    expect(userinfo.sub).toBe(idToken.sub);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      instance,
      await oauth.refreshTokenGrantRequest(as, instance, auth, tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });
});

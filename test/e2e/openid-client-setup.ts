import * as client from 'openid-client';
import { REDIRECT_URI, REGISTRAR, e2e, issuer } from './context';
import { CookieJar, logInOverHttp } from './login-over-http';

// http://127.0.0.1 in tests only; the library refuses plain HTTP otherwise.
export const insecure = { execute: [client.allowInsecureRequests] };

/** The static client `server` as openid-client sees it, found through discovery. */
export const registrarConfig = () => client.discovery(issuer, REGISTRAR, e2e.serverSecret, client.ClientSecretPost(), insecure);

/** docs/flow.md steps 2 and 3 through openid-client: a fresh IAT, then an instance of `softwareId`. */
export async function registerInstance(softwareId: string): Promise<client.Configuration> {
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  return client.dynamicClientRegistration(issuer, { software_id: softwareId }, client.ClientSecretBasic(), {
    ...insecure,
    initialAccessToken: iat.access_token,
  });
}

/** An authorization request with PKCE (S256), `state` and `nonce`, and the checks its answer must pass. */
export async function authorizationRequest(config: client.Configuration, scope = 'openid', redirectUri = REDIRECT_URI) {
  const checks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
    idTokenExpected: true,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  });
  return { url, checks };
}

/**
 * How the server refused a call: its status and RFC error code. openid-client raises ResponseBodyError for
 * an error body, or WWWAuthenticateChallengeError when a 401 carries a challenge (the body is still there).
 */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; error: unknown }> {
  const reason: unknown = await call.then(
    () => new Error('the server accepted a call it should have refused'),
    (error: unknown) => error,
  );
  if (reason instanceof client.ResponseBodyError) return { status: reason.status, error: reason.error };
  if (reason instanceof client.WWWAuthenticateChallengeError) {
    return { status: reason.status, error: ((await reason.response.json()) as { error?: unknown }).error };
  }
  throw reason;
}

/** docs/flow.md steps 2 to 4 through openid-client: an instance of `softwareId` and its tokens once the user signed in. */
export async function signedInInstance(softwareId: string, scope = 'openid') {
  const instance = await registerInstance(softwareId);
  const { url, checks } = await authorizationRequest(instance, scope);
  const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
  return { instance, tokens: await client.authorizationCodeGrant(instance, callback, checks) };
}

import * as oauth from 'oauth4webapi';
import { REDIRECT_URI, REGISTRAR, e2e, issuer } from './context';

// http://127.0.0.1 in tests only; every other check of the library stays on.
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

export async function discover(): Promise<oauth.AuthorizationServer> {
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }));
}

const registrar: oauth.Client = { client_id: REGISTRAR };

/** docs/flow.md step 2: an initial access token for `server`. */
export async function requestIat(as: oauth.AuthorizationServer): Promise<oauth.TokenEndpointResponse> {
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    registrar,
    oauth.ClientSecretBasic(e2e.serverSecret),
    { scope: 'dcr' },
    insecure,
  );
  return oauth.processClientCredentialsResponse(as, registrar, response);
}

/** docs/flow.md step 3: a client registered with `metadata` (an instance when it names a software_id). */
export async function register(as: oauth.AuthorizationServer, iat: string, metadata: Record<string, unknown>): Promise<oauth.Client> {
  return oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(as, metadata as Partial<oauth.Client>, { ...insecure, initialAccessToken: iat }),
  );
}

/**
 * Fresh PKCE (S256), `state` and `nonce`, and the parameters of an authorization request for `openid` that carry them,
 * `extra` added: to put in the URL, push (PAR) or sign (a request object).
 */
export async function codeChecks(extra: Record<string, string> = {}) {
  const checks = {
    codeVerifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
  };
  const params = {
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  };
  return { ...checks, params };
}

/** An authorization request URL for `openid` with PKCE (S256), `state` and `nonce`, `extra` parameters added. */
export async function codeRequest(as: oauth.AuthorizationServer, client: oauth.Client, extra: Record<string, string> = {}) {
  const { params, ...checks } = await codeChecks(extra);
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({ client_id: client.client_id, ...params }).toString();
  return { url, ...checks };
}

/**
 * The authorization response checked (its `state`, and `iss` as discovery announces RFC 9207) and its code exchanged
 * with the PKCE verifier; the ID token is required and its `nonce` checked.
 */
export async function redeemCallback(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  auth: oauth.ClientAuth,
  callback: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<oauth.TokenEndpointResponse> {
  const params = oauth.validateAuthResponse(as, client, callback, checks.state);
  return oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, checks.codeVerifier, insecure),
    { expectedNonce: checks.nonce, requireIdToken: true },
  );
}

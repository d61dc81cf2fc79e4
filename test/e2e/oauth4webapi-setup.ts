import * as oauth from 'oauth4webapi';
import { REDIRECT_URI, REGISTRAR, TEMPLATE, e2e, issuer } from './context';

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

/** docs/flow.md step 3: an instance of template-client, or of the template `metadata` names. */
export async function registerInstance(
  as: oauth.AuthorizationServer,
  iat: string,
  metadata: Record<string, unknown> = { software_id: TEMPLATE },
): Promise<oauth.Client> {
  return oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(as, metadata as Partial<oauth.Client>, { ...insecure, initialAccessToken: iat }),
  );
}

/** The code flow's authorization URL for `client`, with PKCE (S256) and `state`, and any `extra` parameters. */
export async function authorizationUrl(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  checks: { state: string; codeVerifier: string },
  extra: Record<string, string> = {},
): Promise<URL> {
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: checks.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return url;
}

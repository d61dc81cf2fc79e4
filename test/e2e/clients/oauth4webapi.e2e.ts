import { describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { REGISTRAR, TEMPLATE, e2e, issuer } from '../context';

// http://127.0.0.1 in tests only; every other check of the library stays on.
const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function discover(): Promise<oauth.AuthorizationServer> {
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }));
}

describe('oauth4webapi against the built Worker', () => {
  it('discovery, the IAT (an RFC 9068 access token a resource server accepts) and registration', async () => {
    const as = await discover();
    expect(as.issuer).toBe(e2e.issuer);

    const registrar: oauth.Client = { client_id: REGISTRAR };
    const tokenResponse = await oauth.clientCredentialsGrantRequest(
      as,
      registrar,
      oauth.ClientSecretBasic(e2e.serverSecret),
      { scope: 'dcr' },
      insecure,
    );
    const iat = await oauth.processClientCredentialsResponse(as, registrar, tokenResponse);
    expect(iat).toMatchObject({ scope: 'dcr', token_type: 'bearer', expires_in: 300 });

    // A resource server's view of the IAT: JWT profile for access tokens, signature from the JWKS.
    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(`${e2e.issuer}/resource`, { headers: { Authorization: `Bearer ${iat.access_token}` } }),
      e2e.issuer,
      insecure,
    );
    expect(claims).toMatchObject({ iss: e2e.issuer, client_id: REGISTRAR, sub: REGISTRAR, scope: 'dcr' });

    const registration = await oauth.dynamicClientRegistrationRequest(as, { software_id: TEMPLATE } as Partial<oauth.Client>, {
      ...insecure,
      initialAccessToken: iat.access_token,
    });
    const instance = await oauth.processDynamicClientRegistrationResponse(registration);
    expect(instance).toMatchObject({ software_id: TEMPLATE, token_endpoint_auth_method: 'client_secret_basic' });
    expect(typeof instance.client_secret).toBe('string');
  });
});

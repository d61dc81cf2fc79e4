import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { TEMPLATE, e2e, issuer } from '../context';
import { insecure, registrarConfig } from '../openid-client-setup';

describe('openid-client against the built Worker', () => {
  it('discovers the server, gets an IAT for `server` and registers an instance of template-client once', async () => {
    const registrar = await registrarConfig();
    expect(registrar.serverMetadata().issuer).toBe(e2e.issuer);

    const iat = await client.clientCredentialsGrant(registrar, { scope: 'dcr' });
    expect({ scope: iat.scope, token_type: iat.token_type, expires_in: iat.expiresIn() }).toEqual({
      scope: 'dcr',
      token_type: 'bearer',
      expires_in: 300,
    });

    const instance = await client.dynamicClientRegistration(issuer, { software_id: TEMPLATE }, client.ClientSecretBasic(), {
      ...insecure,
      initialAccessToken: iat.access_token,
    });
    const metadata = instance.clientMetadata();
    expect(metadata).toMatchObject({
      software_id: TEMPLATE,
      redirect_uris: ['https://localhost/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    });
    expect(metadata.client_id).not.toBe(TEMPLATE);
    expect(metadata.client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    // The IAT is spent: the library surfaces the server's RFC 6750 challenge.
    const replay = client.dynamicClientRegistration(issuer, { software_id: TEMPLATE }, client.ClientSecretBasic(), {
      ...insecure,
      initialAccessToken: iat.access_token,
    });
    await expect(replay).rejects.toMatchObject({
      code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
      status: 401,
      cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token' } }],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { ORIGIN, testServer } from './helpers';

const fetch = testServer();

describe('discovery for the code flow', () => {
  it('announces the authorization and userinfo endpoints, code, S256, iss in responses, claims and acr values', async () => {
    const metadata = (await (await fetch('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      authorization_endpoint: `${ORIGIN}/oauth/v2/oauth-authorize`,
      userinfo_endpoint: `${ORIGIN}/oauth/v2/oauth-userinfo`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      acr_values_supported: ['username-password'],
      subject_types_supported: ['public', 'pairwise'],
      userinfo_signing_alg_values_supported: ['RS256', 'ES256'],
      claims_parameter_supported: true,
    });
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'auth_time', 'acr', 'amr', 'name', 'email']));
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256']));
  });
});

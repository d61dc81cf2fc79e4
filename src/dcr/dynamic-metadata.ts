import { invalidClientMetadata } from '../errors';
import { SCOPE_TOKEN } from '../oauth/scopes';
import { redirectUriProblem } from '../oauth/redirect-uris';
import { ID_TOKEN_ALGS, type Capability, type ClientAuthMethod, type ClientConfig } from '../model';
import { clientNameFrom, invalidRedirectUri, isStringArray, rejectServerAssigned } from './metadata-rules';
import { presentationFrom } from './presentation';
import { keysFrom, requireKeysFor } from './key-metadata';
import { subjectSettingsFrom } from './subject-metadata';
import { parAndLogoutConfig } from './par-logout-metadata';

/**
 * Non-templatized registration: a full RFC 7591 metadata document, validated and completed with defaults.
 * The answer echoes the result, so a client sees exactly what it got.
 */

const CAPABILITY_OF_GRANT: Record<string, Capability> = {
  authorization_code: 'code',
  client_credentials: 'client_credentials',
  refresh_token: 'refresh',
};
const AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

export interface DynamicRegistrationPolicy {
  /** Scopes a dynamic client may register for. */
  scopes: readonly string[];
  accessTokenTtl: number;
}

export function dynamicClientConfig(metadata: Record<string, unknown>, policy: DynamicRegistrationPolicy): ClientConfig {
  rejectServerAssigned(metadata);
  const grantTypes = stringList(metadata, 'grant_types', ['authorization_code']);
  const unknownGrant = grantTypes.find((grant) => !(grant in CAPABILITY_OF_GRANT));
  if (unknownGrant !== undefined) throw invalidClientMetadata(`grant_types: "${unknownGrant}" is not supported`);
  const capabilities = [...new Set(grantTypes.map((grant) => CAPABILITY_OF_GRANT[grant]!))];
  const codeFlow = capabilities.includes('code');

  const responseTypes = stringList(metadata, 'response_types', codeFlow ? ['code'] : []);
  if (responseTypes.some((type) => type !== 'code')) throw invalidClientMetadata('response_types: only "code" is supported');
  if (codeFlow !== responseTypes.includes('code')) {
    throw invalidClientMetadata('response_types and grant_types disagree: "code" goes with "authorization_code"');
  }
  if (capabilities.includes('refresh') && !codeFlow) throw invalidClientMetadata('grant_types: refresh_token needs authorization_code');

  const redirectUris = stringList(metadata, 'redirect_uris', [], invalidRedirectUri);
  if (codeFlow && redirectUris.length === 0) throw invalidRedirectUri('redirect_uris: the authorization_code grant needs at least one');
  redirectUris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) throw invalidRedirectUri(`redirect_uris.${index}: ${problem}`);
  });

  const authMethod = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(authMethod as ClientAuthMethod)) {
    throw invalidClientMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  }
  if (authMethod === 'none' && capabilities.includes('client_credentials')) {
    throw invalidClientMetadata('a public client (token_endpoint_auth_method "none") cannot use client_credentials');
  }
  const keys = keysFrom(metadata);
  requireKeysFor(authMethod as ClientAuthMethod, keys);

  const scope = metadata.scope ?? policy.scopes.join(' ');
  if (typeof scope !== 'string') throw invalidClientMetadata('scope must be a string of space-separated scopes');
  const scopes = scope === '' ? [] : scope.split(' ');
  const refused = scopes.find((s) => !SCOPE_TOKEN.test(s) || !policy.scopes.includes(s));
  if (refused !== undefined) throw invalidClientMetadata(`scope: "${refused}" is not available to dynamically registered clients`);

  const alg = metadata.id_token_signed_response_alg ?? 'RS256';
  if (!ID_TOKEN_ALGS.includes(alg as never))
    throw invalidClientMetadata(`id_token_signed_response_alg must be one of ${ID_TOKEN_ALGS.join(', ')}`);
  const subjectSettings = subjectSettingsFrom(metadata, redirectUris);

  const dpopBound = metadata.dpop_bound_access_tokens ?? false;
  if (typeof dpopBound !== 'boolean') throw invalidClientMetadata('dpop_bound_access_tokens must be true or false');

  const clientName = clientNameFrom(metadata);
  return {
    ...(clientName === undefined ? {} : { client_name: clientName }),
    ...presentationFrom(metadata),
    ...keys,
    ...parAndLogoutConfig(metadata),
    capabilities,
    redirect_uris: [...new Set(redirectUris)],
    scopes: [...new Set(scopes)],
    token_endpoint_auth_methods: [authMethod as ClientAuthMethod],
    access_token_ttl: policy.accessTokenTtl,
    refresh_token_ttl: 3600,
    id_token_signed_response_alg: alg as ClientConfig['id_token_signed_response_alg'],
    ...subjectSettings,
    ...(dpopBound ? { dpop_bound_access_tokens: true } : {}),
  };
}

function stringList(
  metadata: Record<string, unknown>,
  field: string,
  fallback: string[],
  error: (description: string) => Error = invalidClientMetadata,
): string[] {
  const value = metadata[field];
  if (value === undefined) return fallback;
  if (!isStringArray(value)) throw error(`${field} must be an array of strings`);
  return value;
}

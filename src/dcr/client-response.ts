import { grantTypesOf, responseTypesOf, type Client } from '../oauth/client';
import type { ClientAuthMethod, ClientKeys } from '../model';
import { REGISTRATION_PATH } from './paths';

/** A registered client's effective metadata in RFC 7591 3.2.1 form (secrets are added only when issued), its keys included. */
export interface ClientMetadata extends ClientKeys {
  client_id: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
  client_name: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  software_id?: string;
  grant_types: string[];
  response_types: string[];
  redirect_uris: string[];
  scope: string;
  token_endpoint_auth_method: string;
  token_endpoint_auth_methods: string[];
  default_acr_values: string[];
  subject_type: 'public' | 'pairwise';
  sector_identifier_uri?: string;
  id_token_signed_response_alg: string;
  userinfo_signed_response_alg?: string;
  refresh_token_ttl: number | null;
  /** RFC 9449 5.2. */
  dpop_bound_access_tokens: boolean;
  require_pushed_authorization_requests: boolean;
  post_logout_redirect_uris: string[];
  registration_client_uri: string;
  registration_access_token?: string;
}

/** RFC 7592: where the client manages its own registration. */
export const registrationClientUri = (issuer: string, clientId: string) => `${issuer}${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`;

/** `chosenAuthMethod`: the one an instance picked among its template's, if it did. */
export function clientMetadata(issuer: string, client: Client, chosenAuthMethod?: ClientAuthMethod): ClientMetadata {
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.issuedAt / 1000),
    client_name: client.clientName,
    ...client.presentation,
    ...client.keys,
    ...(client.templateName === null ? {} : { software_id: client.templateName }),
    grant_types: grantTypesOf(client),
    response_types: responseTypesOf(client),
    redirect_uris: client.redirectUris,
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: chosenAuthMethod ?? client.authMethods[0]!,
    token_endpoint_auth_methods: client.authMethods,
    default_acr_values: client.authenticators,
    subject_type: client.subjectType,
    ...(client.sectorIdentifierUri === null ? {} : { sector_identifier_uri: client.sectorIdentifierUri }),
    id_token_signed_response_alg: client.idTokenAlg,
    ...(client.userinfoAlg === null ? {} : { userinfo_signed_response_alg: client.userinfoAlg }),
    refresh_token_ttl: client.refreshTokenTtl,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    registration_client_uri: registrationClientUri(issuer, client.clientId),
  };
}

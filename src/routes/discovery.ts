import { Hono } from 'hono';
import type { AppEnv } from './types';
import type { RequestDeps } from '../deps';
import { SIGNING_ALGS } from '../tokens/keys';
import { REGISTRATION_PATH } from '../dcr/paths';
import { JWKS_PATH } from './jwks';
import { AUTHORIZE_PATH } from './authorize';
import { USERINFO_PATH } from './userinfo';
import { INTROSPECTION_PATH, REVOCATION_PATH } from './introspection';
import { TOKEN_PATH } from './token';
import { PAR_PATH } from './par';
import { LOGOUT_PATH } from './logout';
import { AUTHENTICATORS, CLIENT_SIGNING_ALGS, SUBJECT_TYPES } from '../model';
import { STANDARD_CLAIMS } from '../users/claims';
import { GRANTS } from '../grants';
import { DPOP_SIGNING_ALGS } from '../oauth/dpop';

const ID_TOKEN_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'at_hash', 'azp'];

/** RFC 8414 and OpenID Connect Discovery 1.0: one document, served at both well-known paths. */
function serverMetadata({ issuer, settings }: RequestDeps) {
  // `none`: public clients (templates and static clients that allow it, dynamic clients, metadata documents).
  // `private_key_jwt`: clients with their own keys (the same, but metadata documents).
  const clientAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
  const clientSigningAlgs = [...CLIENT_SIGNING_ALGS];
  return {
    issuer,
    authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    userinfo_endpoint: `${issuer}${USERINFO_PATH}`,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    introspection_endpoint: `${issuer}${INTROSPECTION_PATH}`,
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    ...(settings.dcrEnabled ? { registration_endpoint: `${issuer}${REGISTRATION_PATH}` } : {}),
    // RFC 9126 5; the server-wide requirement (REQUIRE_PAR): a client's own metadata may require it of that client alone.
    pushed_authorization_request_endpoint: `${issuer}${PAR_PATH}`,
    require_pushed_authorization_requests: settings.requirePushedAuthorizationRequests,
    // OpenID Connect RP-Initiated Logout 1.0.
    end_session_endpoint: `${issuer}${LOGOUT_PATH}`,
    // The authorization code flow only: implicit and hybrid response types are refused (RFC 9700 2.1.2).
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: Object.keys(GRANTS),
    code_challenge_methods_supported: ['S256'],
    // draft-parecki-oauth-client-id-metadata-document: an https client_id on a host a template allows.
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    acr_values_supported: [...AUTHENTICATORS],
    claims_supported: [...ID_TOKEN_CLAIMS, ...STANDARD_CLAIMS],
    // OpenID Connect Core 5.5: userinfo and id_token members, standard claims by name, acr values.
    claims_parameter_supported: true,
    // RFC 9101: signed request objects (src/oauth/request-object.ts).
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: clientSigningAlgs,
    // request_uri naming a request object the client hosts is not fetched; the URIs of pushed requests are RFC 9126's.
    request_uri_parameter_supported: false,
    token_endpoint_auth_methods_supported: clientAuthMethods,
    introspection_endpoint_auth_methods_supported: clientAuthMethods,
    revocation_endpoint_auth_methods_supported: clientAuthMethods,
    token_endpoint_auth_signing_alg_values_supported: clientSigningAlgs,
    introspection_endpoint_auth_signing_alg_values_supported: clientSigningAlgs,
    revocation_endpoint_auth_signing_alg_values_supported: clientSigningAlgs,
    id_token_signing_alg_values_supported: [...SIGNING_ALGS],
    userinfo_signing_alg_values_supported: [...SIGNING_ALGS],
    subject_types_supported: [...SUBJECT_TYPES],
    // RFC 9449 5.1: DPoP proofs at the token endpoint, userinfo and registration.
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
    scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'dcr'],
  };
}

const CACHEABLE = { 'Cache-Control': 'public, max-age=300' };

export const discoveryRoutes = new Hono<AppEnv>()
  .get('/.well-known/openid-configuration', (c) => c.json(serverMetadata(c.get('deps')), 200, CACHEABLE))
  .get('/.well-known/oauth-authorization-server', (c) => c.json(serverMetadata(c.get('deps')), 200, CACHEABLE));

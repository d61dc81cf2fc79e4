import { Hono } from 'hono';
import type { AppEnv } from './types';
import type { RequestDeps } from '../deps';
import { SIGNING_ALGS } from '../tokens/keys';
import { REGISTRATION_PATH } from '../dcr/paths';
import { JWKS_PATH } from './jwks';

/** RFC 8414 and OpenID Connect Discovery 1.0: one document, served at both well-known paths. */
function serverMetadata({ issuer, settings }: RequestDeps) {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/v2/oauth-token`,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    ...(settings.dcrEnabled ? { registration_endpoint: `${issuer}${REGISTRATION_PATH}` } : {}),
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGS],
    subject_types_supported: ['public'],
    scopes_supported: ['openid', 'dcr'],
  };
}

const CACHEABLE = { 'Cache-Control': 'public, max-age=300' };

export const discoveryRoutes = new Hono<AppEnv>()
  .get('/.well-known/openid-configuration', (c) => c.json(serverMetadata(c.get('deps')), 200, CACHEABLE))
  .get('/.well-known/oauth-authorization-server', (c) => c.json(serverMetadata(c.get('deps')), 200, CACHEABLE));

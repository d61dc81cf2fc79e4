import { decodeProtectedHeader } from 'jose';
import { OAuthError, invalidRequest } from '../errors';
import { CLIENT_SIGNING_ALGS } from '../model';
import { AUTHORIZATION_PARAMS, type AuthorizationParams } from './authorization-request';
import type { Client } from './client';
import { ClientJwtError, verifyClientJwt, type ClientKeyDeps } from './client-keys';

/**
 * Signed request objects (RFC 9101, OpenID Connect Core 6.1): the authorization request as a JWT in `request`,
 * signed with one of the client's keys (src/oauth/client-keys.ts). Its parameters replace the query's (RFC 9101 5:
 * only the request object's are used); the outer `client_id` stays, and the object may only repeat it. Unsigned
 * (`none`) and symmetric (shared-secret) objects are refused. Called as soon as the client is known, before its
 * redirect URI is verified: the object may carry it. A refusal is an OAuthError (`invalid_request_object`), which
 * the authorization endpoint shows as an error page (the redirect URI is not verified yet).
 */

export interface RequestObjectDeps extends ClientKeyDeps {
  issuer: string;
}

const invalidRequestObject = (description: string) => new OAuthError('invalid_request_object', description);

/** The request's parameters: as they are without a `request`, else the verified request object's. */
export async function resolveRequestObject(
  deps: RequestObjectDeps,
  client: Client,
  params: AuthorizationParams,
): Promise<AuthorizationParams> {
  const jwt = params.values.get('request');
  if (jwt === undefined && !params.repeated.has('request')) return params;
  if (params.repeated.has('request')) throw invalidRequest('the request parameter is repeated');
  if (params.values.has('request_uri')) throw invalidRequest('send request or request_uri, not both');
  const claims = await verifiedRequestObject(deps, client, jwt!);

  const values = new Map<string, string>();
  for (const name of AUTHORIZATION_PARAMS) {
    const value = claims[name];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalidRequestObject(`the request object's ${name} must be a string`);
    }
    values.set(name, String(value));
  }
  if (values.has('client_id') && values.get('client_id') !== client.clientId) {
    throw invalidRequestObject('the request object’s client_id is not the client_id of the request');
  }
  const outerType = params.values.get('response_type');
  if (outerType !== undefined && values.has('response_type') && values.get('response_type') !== outerType) {
    throw invalidRequestObject('the request object’s response_type is not the response_type of the request');
  }
  values.set('client_id', client.clientId);
  return { values, repeated: new Set() };
}

/** The claims of a request object signed by this client with an announced asymmetric alg, for this server. */
async function verifiedRequestObject(deps: RequestObjectDeps, client: Client, jwt: string): Promise<Record<string, unknown>> {
  let alg: unknown;
  try {
    ({ alg } = decodeProtectedHeader(jwt));
  } catch {
    throw invalidRequestObject('the request object is not a signed JWT');
  }
  if (jwt.split('.').length !== 3) throw invalidRequestObject('the request object is not a signed JWT (encrypted ones are not supported)');
  if (alg === 'none') throw invalidRequestObject('unsigned request objects (alg "none") are not accepted: sign it with one of your keys');
  const pinned = client.keys.request_object_signing_alg;
  const algorithms = pinned === undefined ? CLIENT_SIGNING_ALGS : [pinned];
  if (!algorithms.includes(alg as never)) throw invalidRequestObject(`the request object's alg must be one of ${algorithms.join(', ')}`);
  let claims: Record<string, unknown>;
  try {
    claims = (await verifyClientJwt(deps, client, jwt, { algorithms })).payload;
  } catch (error) {
    if (error instanceof ClientJwtError) throw invalidRequestObject(`the request object is not valid: ${error.description}`);
    throw error;
  }
  if (claims.iss !== undefined && claims.iss !== client.clientId)
    throw invalidRequestObject('the request object’s iss is not the client_id');
  if (claims.aud !== undefined && !(Array.isArray(claims.aud) ? claims.aud : [claims.aud]).includes(deps.issuer)) {
    throw invalidRequestObject('the request object’s aud is not this server (its issuer)');
  }
  if (claims.request !== undefined || claims.request_uri !== undefined) {
    throw invalidRequestObject('a request object must not contain request or request_uri');
  }
  return claims;
}

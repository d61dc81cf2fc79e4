import { decodeJwt } from 'jose';
import { invalidClient, invalidRequest } from '../errors';
import type { OneTimeLedger } from '../ledger/client';
import { CLIENT_SIGNING_ALGS } from '../model';
import type { Client } from './client';
import { CLOCK_TOLERANCE_SECONDS, ClientJwtError, verifyClientJwt, type ClientKeyDeps } from './client-keys';
import type { Form } from './form';

/**
 * `private_key_jwt` (RFC 7523 2.2 and 3, OpenID Connect Core 9): the client authenticates with a short-lived JWT
 * signed with one of its own keys: `iss` and `sub` its client id, `aud` this server (the issuer, or the URL of the
 * endpoint called), `exp` within a few minutes, a `jti` used once. Every failure is `invalid_client`.
 */

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long an assertion may live, counted from its `iat` and from now: the ledger remembers its jti that long. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const MAX_JTI_LENGTH = 256;

export interface PresentedAssertion {
  clientId: string;
  assertion: string;
  method: 'private_key_jwt';
}

/**
 * The assertion and the client it names (the form's `client_id`, which must then be the assertion's too, or else
 * the assertion's `sub`, read before anything is verified: only to know which client's keys to verify it with).
 */
export function presentedAssertion(authorization: string | undefined, form: Form): PresentedAssertion {
  if (authorization !== undefined || form.has('client_secret')) {
    throw invalidRequest('use one client authentication method: a client assertion, or a client secret');
  }
  const assertion = form.get('client_assertion');
  if (assertion === undefined) throw invalidRequest('client_assertion_type needs a client_assertion');
  if (form.get('client_assertion_type') !== JWT_BEARER) throw invalidRequest(`client_assertion_type must be ${JWT_BEARER}`);
  const clientId = form.get('client_id') ?? unverifiedSubject(assertion);
  return { clientId, assertion, method: 'private_key_jwt' };
}

function unverifiedSubject(assertion: string): string {
  let sub: unknown;
  try {
    ({ sub } = decodeJwt(assertion));
  } catch {
    throw invalidClient('the client_assertion is not a JWT');
  }
  if (typeof sub !== 'string' || sub === '') throw invalidClient('the client_assertion names no client in sub (and client_id is absent)');
  return sub;
}

export interface AssertionDeps extends ClientKeyDeps {
  ledger: OneTimeLedger;
  issuer: string;
  /** The URL of the endpoint called (as discovery announces it): an `aud` the assertion may name besides the issuer. */
  endpoint: string;
}

/**
 * Verifies the client's assertion: signed by one of its keys with an announced alg (or the one it registered), the
 * claims above, and only then its `jti` spent in the ledger, so that nothing unverified ever writes state.
 */
export async function verifyClientAssertion(deps: AssertionDeps, client: Client, assertion: string): Promise<void> {
  const pinned = client.keys.token_endpoint_auth_signing_alg;
  let claims: Record<string, unknown>;
  try {
    const { payload, protectedHeader } = await verifyClientJwt(deps, client, assertion, {
      algorithms: pinned === undefined ? CLIENT_SIGNING_ALGS : [pinned],
      issuer: client.clientId,
      subject: client.clientId,
      audience: [deps.issuer, deps.endpoint],
      requiredClaims: ['exp'],
    });
    // A request object (RFC 9101 10.8) passes through browsers: it never stands in for the client's credential.
    if (protectedHeader.typ?.toLowerCase() === 'oauth-authz-req+jwt')
      throw new ClientJwtError('a request object is not a client assertion');
    claims = payload;
  } catch (error) {
    if (error instanceof ClientJwtError) throw invalidClient(`the client assertion is not valid: ${error.description}`);
    throw error;
  }
  const exp = claims.exp as number;
  const { jti, iat } = claims;
  const now = Math.floor(deps.now / 1000);
  if (exp - now > MAX_ASSERTION_LIFETIME_SECONDS || (typeof iat === 'number' && exp - iat > MAX_ASSERTION_LIFETIME_SECONDS)) {
    throw invalidClient(`the client assertion lives too long: exp at most ${MAX_ASSERTION_LIFETIME_SECONDS} s after iat and now`);
  }
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw invalidClient(`the client assertion's jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`);
  }
  const use = await deps.ledger.useOnce({
    namespace: `client_assertion:${client.clientId}`,
    value: jti,
    expiresAt: (exp + CLOCK_TOLERANCE_SECONDS) * 1000,
  });
  if (use === 'replayed') throw invalidClient('the client assertion was used before: send a new one, with a new jti');
}

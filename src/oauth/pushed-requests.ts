import { OAuthError, invalidClient, invalidRequest, serverError } from '../errors';
import type { OneTimeLedger, PushedRequestTake } from '../ledger/client';
import { LEDGER_ID_PATTERN } from '../ledger/shards';
import { OutboundDocumentError } from '../outbound/documents';
import type { RequestObjectDeps } from './request-object';
import { randomToken, sha256Hex } from '../tokens/secrets';
import { UnverifiedRedirectError, parseAuthorizationRequest, type AuthorizationParams } from './authorization-request';
import type { Client } from './client';
import type { Form } from './form';
import { verifiedAuthorization } from './verified-authorization';

/**
 * Pushed authorization requests (RFC 9126). The client sends its authorization request to the PAR endpoint,
 * authenticated as at the token endpoint; it is validated as the authorization endpoint would, and stored on a ledger
 * shard as one row. The answer's `request_uri` is `urn:ietf:params:oauth:request_uri:<ledger id>.<secret>`: the id
 * names the shard, and only the secret's hash is stored. At the authorization endpoint the client sends `client_id`
 * and `request_uri` alone; the request is taken once, by the client that pushed it, before it expires.
 */
export const PUSHED_REQUEST_URN = 'urn:ietf:params:oauth:request_uri:';
/** RFC 9126 2.2: short-lived; long enough for the browser to be sent to the authorization endpoint. */
export const PUSHED_REQUEST_TTL_SECONDS = 60;

const REQUEST_URI_FORMAT = new RegExp(`^${PUSHED_REQUEST_URN.replace(/[.:]/g, '\\$&')}(${LEDGER_ID_PATTERN})\\.([A-Za-z0-9_-]{43})$`);

/** What authenticates the pushing client (src/oauth/client-auth.ts), not part of the request it pushes. */
const CLIENT_AUTHENTICATION_FIELDS = ['client_secret', 'client_assertion', 'client_assertion_type'];

export interface PushDeps extends RequestObjectDeps {
  ledger: OneTimeLedger;
}

export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

/**
 * RFC 9126 2: validates the authenticated client's request as the authorization endpoint would (its redirect URI
 * first), then stores it. Every problem is a JSON error (2.3): nothing redirects from here, and nothing is stored.
 */
export async function pushAuthorizationRequest(deps: PushDeps, client: Client, form: Form): Promise<PushedAuthorizationResponse> {
  if (form.has('request_uri')) throw invalidRequest('request_uri cannot be pushed (RFC 9126 2.1)');
  const values = new Map([...form].filter(([name]) => !CLIENT_AUTHENTICATION_FIELDS.includes(name)));
  // With Basic authentication the form may leave client_id out; the request is the authenticated client's either way.
  values.set('client_id', client.clientId);
  try {
    const { target, params } = await verifiedAuthorization(deps, client, { values, repeated: new Set() });
    parseAuthorizationRequest(target, params);
    const requestId = deps.ledger.newGrantId();
    const secret = randomToken(32);
    const stored = await deps.ledger.pushAuthorizationRequest({
      requestId,
      secretHash: await sha256Hex(secret),
      clientId: client.clientId,
      params: [...params.values],
      expiresAt: deps.now + PUSHED_REQUEST_TTL_SECONDS * 1000,
    });
    if (!stored) throw serverError('could not store the pushed authorization request');
    return { request_uri: `${PUSHED_REQUEST_URN}${requestId}.${secret}`, expires_in: PUSHED_REQUEST_TTL_SECONDS };
  } catch (error) {
    // A refused request object keeps its own code (RFC 9126 2.3); any other refusal of the request is invalid_request.
    if (error instanceof UnverifiedRedirectError) {
      throw new OAuthError(error.code === 'invalid_request_object' ? error.code : 'invalid_request', error.description);
    }
    if (error instanceof OutboundDocumentError) throw invalidClient(error.description);
    throw error;
  }
}

/** The `request_uri` of a pushed request that authorization parameters name (RFC 9126 4); null when they name none. */
export function pushedRequestUri(params: AuthorizationParams): string | null {
  const uri = params.values.get('request_uri');
  return uri?.startsWith(PUSHED_REQUEST_URN) && !params.repeated.has('request_uri') ? uri : null;
}

/** Takes the pushed request `requestUri` names for `clientId`, once: its parameters, or why there are none. */
export async function takePushedRequest(
  ledger: OneTimeLedger,
  requestUri: string,
  clientId: string,
  now: number,
): Promise<PushedRequestTake> {
  const match = REQUEST_URI_FORMAT.exec(requestUri);
  if (!match) return { outcome: 'unknown' };
  return ledger.takePushedRequest({ requestId: match[1]!, secretHash: await sha256Hex(match[2]!), clientId, now });
}

const TAKE_PROBLEMS: Record<Exclude<PushedRequestTake['outcome'], 'taken'>, string> = {
  unknown: 'the request_uri is not one this server issued',
  'other-client': 'the request_uri was pushed by another client',
  used: 'the request_uri has already been used',
  expired: 'the request_uri has expired',
};

/**
 * RFC 9126 4: the parameters of the pushed request, which replace the ones the authorization request carried. Any
 * problem is an error page: without the pushed request there is no redirect URI to trust.
 */
export function pushedParams(take: PushedRequestTake, client: Client): AuthorizationParams {
  if (take.outcome !== 'taken') throw new UnverifiedRedirectError('invalid_request_uri', TAKE_PROBLEMS[take.outcome], client);
  return { values: new Map(take.params), repeated: new Set(), pushed: true };
}

/** RFC 9126 6: a client that must push (its own metadata says so, or REQUIRE_PAR for all) and did not is refused. */
export function requirePushWhereDemanded(client: Client, params: AuthorizationParams, requiredOfAll: boolean): void {
  if ((requiredOfAll || client.requirePushedAuthorizationRequests) && params.pushed !== true) {
    throw invalidRequest('this client must use pushed authorization requests (RFC 9126): push the request, then send its request_uri');
  }
}

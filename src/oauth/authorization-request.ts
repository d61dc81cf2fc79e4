import { OAuthError, invalidRequest, invalidTarget, unauthorizedClient } from '../errors';
import { isPublicClient, type Client } from './client';
import { parseScope, requireAllowed } from './scopes';
import { codeChallengeOf } from './pkce';
import { resolveRedirectUri } from './redirect-uri-match';
import { allowedResource } from './resources';
import { claimsParameterOf, narrowedByAcrClaim } from './claims-request';
import type { RequestedClaims } from '../grant-rules';

/** Parameters of an authorization request (query or form), with the names that were repeated. */
export interface AuthorizationParams {
  values: ReadonlyMap<string, string>;
  repeated: ReadonlySet<string>;
  /** They came from a pushed authorization request (RFC 9126): taken at this request, or proven by the form carrying them. */
  pushed?: boolean;
}

/** The parameters the login form carries through unchanged (OpenID Connect Core 3.1.2.1). */
export const AUTHORIZATION_PARAMS = [
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'acr_values',
  'response_mode',
  'login_hint',
  'resource',
  'claims',
  'dpop_jkt',
] as const;

/** Empty values count as absent (RFC 6749 3.1); a repeated parameter is noted, empty copies included. */
export function authorizationParams(query: string): AuthorizationParams {
  const values = new Map<string, string>();
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (seen.has(key)) repeated.add(key);
    else if (value !== '') values.set(key, value);
    seen.add(key);
  }
  return { values, repeated };
}

/**
 * The request cannot be answered by a redirect: the client or its redirect URI is not verified. `code` is the
 * reference the error page shows; `client` is set when the client is known (the page can then name it).
 */
export class UnverifiedRedirectError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'invalid_client' | 'invalid_redirect_uri' | 'invalid_request_object' | 'invalid_request_uri',
    readonly description: string,
    readonly client: Client | null = null,
  ) {
    super(description);
    this.name = 'UnverifiedRedirectError';
  }
}

/** A client and the redirect URI it is known to own: from here on errors may go back to it. */
export interface VerifiedRedirect {
  client: Client;
  redirectUri: string;
  /** Whether the request named it; then the token request must repeat it (RFC 6749 4.1.3). */
  redirectUriGiven: boolean;
  state: string | undefined;
}

const MAX_VALUE_LENGTH = 2048;

/** The client the request names, to be looked up; null when the request names none usable. */
export function requestedClientId(params: AuthorizationParams): string | null {
  const clientId = params.values.get('client_id');
  return clientId !== undefined && !params.repeated.has('client_id') && clientId.length <= MAX_VALUE_LENGTH ? clientId : null;
}

/** Step one, before anything may redirect: the request names one client, and the client exists and can act. */
export function requireClient(client: Client | null, params: AuthorizationParams): Client {
  for (const name of ['client_id', 'redirect_uri']) {
    if (params.repeated.has(name)) throw new UnverifiedRedirectError('invalid_request', `the ${name} parameter is repeated`);
  }
  if (params.values.get('client_id') === undefined)
    throw new UnverifiedRedirectError('invalid_request', 'the client_id parameter is missing');
  if (!client) throw new UnverifiedRedirectError('invalid_client', 'the client is unknown or not active');
  return client;
}

/** Step two, before anything may redirect: the redirect URI is the client's own. */
export function verifyRedirect(client: Client, params: AuthorizationParams): VerifiedRedirect {
  const requested = params.values.get('redirect_uri');
  const redirectUri = resolveRedirectUri(client.redirectUris, requested);
  if (redirectUri === null) {
    throw new UnverifiedRedirectError(
      'invalid_redirect_uri',
      requested === undefined
        ? 'the redirect_uri parameter is required: this client has several or no registered redirect URIs'
        : 'the redirect_uri is not registered for this client',
      client,
    );
  }
  // A repeated or oversized state is not echoed; the request is refused for it in the next step.
  const state = params.values.get('state');
  const echoable = state !== undefined && !params.repeated.has('state') && state.length <= MAX_VALUE_LENGTH;
  return { client, redirectUri, redirectUriGiven: requested !== undefined, state: echoable ? state : undefined };
}

export type Prompt = 'none' | 'login' | 'consent';

/** A valid authorization request of the code flow. */
export interface AuthorizationRequest extends VerifiedRedirect {
  /** The parameters it was read from (a request object's or a pushed request's in place of the query's): what the login and consent forms post back. */
  params: AuthorizationParams;
  scope: string[];
  /** The RFC 8707 resource the tokens are for, when the request named one. */
  resource: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  prompt: ReadonlySet<Prompt>;
  maxAgeSeconds: number | undefined;
  /** The authenticators that may satisfy this request: the client's, narrowed by `acr_values` and the claims parameter. */
  acceptableAcrs: string[];
  loginHint: string | undefined;
  /** The standard claims the claims parameter asks for by name (OpenID Connect Core 5.5). */
  claims: RequestedClaims | undefined;
  /** RFC 9449 10: the thumbprint of the DPoP key the code exchange must prove, when the request named one. */
  dpopJkt: string | undefined;
}

/** Step three: everything else. Errors are OAuthErrors, to be sent to the verified redirect URI. */
export function parseAuthorizationRequest(target: VerifiedRedirect, params: AuthorizationParams): AuthorizationRequest {
  if (params.repeated.has('resource')) throw invalidTarget('one resource per request is supported');
  const [repeated] = params.repeated;
  if (repeated !== undefined) throw invalidRequest(`the ${repeated} parameter is repeated`);
  for (const [name, value] of params.values) {
    if (value.length > MAX_VALUE_LENGTH) throw invalidRequest(`the ${name} parameter is too long`);
  }
  const get = (name: string) => params.values.get(name);
  if (get('request_uri') !== undefined) throw new OAuthError('request_uri_not_supported', 'request_uri is not supported');

  const responseType = get('response_type');
  if (responseType === undefined) throw invalidRequest('the response_type parameter is missing');
  if (responseType !== 'code') throw new OAuthError('unsupported_response_type', 'only response_type=code is supported');
  const responseMode = get('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') throw invalidRequest('only response_mode=query is supported');
  const { client } = target;
  if (!client.capabilities.includes('code')) throw unauthorizedClient('this client may not use the authorization code flow');

  const requestedScope = get('scope');
  const scope = requireAllowed(requestedScope === undefined ? client.scopes : parseScope(requestedScope), client.scopes);

  const codeChallenge = codeChallengeOf(get('code_challenge'), get('code_challenge_method'));
  // RFC 9700 2.1.1: a client without a secret has only PKCE to bind its code to itself, and PKCE also stops code
  // injection for the others; only a confidential client whose admin opted out may go without.
  if (codeChallenge === undefined && client.pkceRequired) {
    throw invalidRequest(`${isPublicClient(client) ? 'a public client' : 'this client'} must use PKCE (code_challenge with S256)`);
  }
  const resource = get('resource');
  const claims = claimsParameterOf(get('claims'));

  return {
    ...target,
    params,
    scope,
    resource: resource === undefined ? undefined : allowedResource(resource, client.resources),
    nonce: get('nonce'),
    codeChallenge,
    prompt: promptOf(get('prompt')),
    maxAgeSeconds: maxAgeOf(get('max_age')),
    acceptableAcrs: narrowedByAcrClaim(acceptableAcrs(client, get('acr_values')), claims?.acr ?? null),
    loginHint: get('login_hint'),
    claims: claims?.requested,
    dpopJkt: dpopJktOf(get('dpop_jkt')),
  };
}

/** An RFC 7638 SHA-256 thumbprint: 32 bytes, base64url. */
function dpopJktOf(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(value))
    throw invalidRequest('dpop_jkt must be the JWK SHA-256 thumbprint of the DPoP key');
  return value;
}

function promptOf(value: string | undefined): ReadonlySet<Prompt> {
  const prompt = new Set(value === undefined ? [] : value.split(' '));
  for (const item of prompt) {
    // select_account needs no screen here: one account per session. consent asks unverified clients' users again.
    if (!['none', 'login', 'consent', 'select_account'].includes(item)) throw invalidRequest(`prompt value "${item}" is not supported`);
  }
  if (prompt.has('none') && prompt.size > 1) throw invalidRequest('prompt=none cannot be combined with other values');
  return new Set([...prompt].filter((item): item is Prompt => item === 'none' || item === 'login' || item === 'consent'));
}

function maxAgeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw invalidRequest('max_age must be a whole number of seconds');
  return Number(value);
}

function acceptableAcrs(client: Client, acrValues: string | undefined): string[] {
  const allowed = client.authenticators;
  if (acrValues === undefined) return allowed;
  const acceptable = acrValues.split(' ').filter((acr) => allowed.includes(acr));
  if (acceptable.length === 0) throw invalidRequest(`none of acr_values is an authenticator of this client (${allowed.join(', ')})`);
  return acceptable;
}

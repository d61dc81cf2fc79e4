/**
 * The rules of the two one-time grant steps, as pure functions the ledger runs inside its synchronous
 * check-and-write (src/ledger/ledger.ts): nothing here awaits, so no other request can interleave between the check
 * and the write that follows it. Every refusal changes nothing: a code or refresh token is spent, and a grant
 * revoked, only by the steps that say so (RFC 6749 4.1.2 and 10.4, RFC 9700 4.14).
 */

/**
 * The claims parameter of an authorization request (OpenID Connect Core 5.5), as the grant keeps it: the standard
 * claims asked for by name, per member of the answer they go to.
 */
export interface RequestedClaims {
  userinfo?: string[];
  id_token?: string[];
}

/** What an authorization code grants, fixed at the authorization request. */
export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  /** Whether the authorization request named the redirect URI; then the token request must repeat it (RFC 6749 4.1.3). */
  redirectUriGiven: boolean;
  scope: string;
  /** The RFC 8707 resource the tokens are for (their audience); absent: this server. */
  resource?: string;
  nonce?: string;
  codeChallenge?: string;
  /** RFC 9449 10 (`dpop_jkt`): the thumbprint of the key whose DPoP proof the code exchange must carry. */
  dpopJkt?: string;
  sub: string;
  /** Seconds since epoch. */
  authTime: number;
  acr: string;
  claims?: RequestedClaims;
  /** The values of the claims `claims.id_token` names, read with the user at the authorization request. */
  idTokenClaims?: Record<string, unknown>;
}

/** What a grant's refresh tokens carry on, fixed at the code exchange. */
export interface FamilyGrant {
  clientId: string;
  sub: string;
  scope: string;
  resource?: string;
  /** Seconds since epoch. */
  authTime: number;
  acr: string;
  /** The claims asked for by name: userinfo releases them, and a refresh's ID token carries them again. */
  claims?: RequestedClaims;
  /** RFC 9449 5: a public client's refresh tokens work only with a DPoP proof of this key (its thumbprint). */
  jkt?: string;
}

/** The scope that lets an access token register one client; it is never carried on by a refresh token. */
const REGISTRATION_SCOPE = 'dcr';

/**
 * The family a code starts, its refresh tokens bound to `jkt` when given. `dcr` stays with the code exchange's access
 * token alone: one sign-in gives at most one registration, however often the grant is refreshed.
 */
export function familyOf(code: CodeGrant, jkt?: string): FamilyGrant {
  const scope = code.scope.split(' ').filter((s) => s !== '' && s !== REGISTRATION_SCOPE);
  return {
    clientId: code.clientId,
    sub: code.sub,
    scope: scope.join(' '),
    ...(code.resource === undefined ? {} : { resource: code.resource }),
    authTime: code.authTime,
    acr: code.acr,
    ...(code.claims === undefined ? {} : { claims: code.claims }),
    ...(jkt === undefined ? {} : { jkt }),
  };
}

/** A redeemed code as it is kept (for replay detection): without the user's claim values. */
export function redeemedCode(code: CodeGrant): CodeGrant {
  const { idTokenClaims: _values, ...kept } = code;
  return kept;
}

export type GrantError = { error: 'invalid_grant' | 'invalid_request' | 'invalid_scope' | 'invalid_target'; description: string };

/** The token request's side of a code exchange, as the token endpoint saw it. */
export interface PresentedCode {
  clientId: string;
  /** The `redirect_uri` parameter, or null when absent. */
  redirectUri: string | null;
  /** The S256 of the `code_verifier` parameter (computed before the ledger is called), or null when absent. */
  verifierChallenge: string | null;
  /** The scopes the client's template allows right now. */
  allowedScopes: readonly string[];
  /** The `resource` parameter (RFC 8707), or null/absent when the request named none. */
  resource?: string | null;
  /** The resources the client's template (or its own metadata) allows right now; absent: not checked (an older caller). */
  allowedResources?: readonly string[];
  /** The thumbprint of the key of the request's DPoP proof, or null/absent without one. */
  dpopJkt?: string | null;
}

const refuse = (error: GrantError['error'], description: string): GrantError => ({ error, description });

/**
 * Why this presentation of a valid, unredeemed, unexpired code fails, or null when it succeeds. Checked before the
 * code is spent, as node-oidc-provider does: a wrong client, redirect URI or verifier leaves it usable.
 */
export function codeExchangeProblem(code: CodeGrant, presented: PresentedCode): GrantError | null {
  if (presented.redirectUri === null) {
    if (code.redirectUriGiven) return refuse('invalid_request', 'redirect_uri is required: the authorization request named one');
  } else if (presented.redirectUri !== code.redirectUri) {
    return refuse('invalid_grant', 'redirect_uri does not match the authorization request');
  }
  if (code.codeChallenge === undefined) {
    if (presented.verifierChallenge !== null) {
      return refuse('invalid_grant', 'code_verifier was sent but the authorization request had no code_challenge');
    }
  } else if (presented.verifierChallenge === null) {
    return refuse('invalid_grant', 'code_verifier is required: the authorization request had a code_challenge');
  } else if (!equalInConstantTime(presented.verifierChallenge, code.codeChallenge)) {
    return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
  }
  const dropped = code.scope.split(' ').find((scope) => scope !== '' && !presented.allowedScopes.includes(scope));
  if (dropped !== undefined) return refuse('invalid_scope', `scope "${dropped}" is no longer allowed for this client`);
  return resourceProblem(code.resource, presented) ?? keyProblem(code.dpopJkt, presented.dpopJkt, 'the code (dpop_jkt)');
}

/** RFC 9449 5 and 10: what is bound to a key is usable only with a DPoP proof of that key. */
function keyProblem(bound: string | undefined, proved: string | null | undefined, what: string): GrantError | null {
  if (bound === undefined || proved === bound) return null;
  const needed = proved == null ? 'send a DPoP proof of that key' : 'the DPoP proof is of another key';
  return refuse('invalid_grant', `${what} is bound to a DPoP key: ${needed}`);
}

/** An RFC 8707 allowed resource: an exact URL, or an https prefix written with a trailing `/*`. */
export function resourceMatches(entry: string, resource: string): boolean {
  return entry.endsWith('/*') ? resource.startsWith(entry.slice(0, -1)) : entry === resource;
}

/**
 * RFC 8707 2.2: a token request may name the resource its grant is for, never another one; and a resource the client
 * may no longer ask for gets no more tokens, as a dropped scope does.
 */
function resourceProblem(
  granted: string | undefined,
  { resource: requested, allowedResources }: { resource?: string | null; allowedResources?: readonly string[] },
): GrantError | null {
  if (granted !== undefined && allowedResources && !allowedResources.some((entry) => resourceMatches(entry, granted))) {
    return refuse('invalid_target', `the resource "${granted}" is no longer allowed for this client`);
  }
  if (requested == null || requested === granted) return null;
  return refuse(
    'invalid_target',
    granted === undefined ? 'this grant is not for any resource' : `this grant is for the resource "${granted}" only`,
  );
}

/** The refresh token request's side of a rotation. */
export interface PresentedRefresh {
  clientId: string;
  /** The subject the token names; the token endpoint read this user before calling the ledger. */
  subject: string;
  /** The `scope` parameter split, or null to keep the grant's. */
  requestedScope: readonly string[] | null;
  allowedScopes: readonly string[];
  /** The `resource` parameter (RFC 8707), or null/absent to keep the grant's. */
  resource?: string | null;
  /** As for a code: the resources the client may ask for right now. */
  allowedResources?: readonly string[];
  /** The thumbprint of the key of the request's DPoP proof, or null/absent without one. */
  dpopJkt?: string | null;
}

/** The scope a valid refresh token is refreshed with, or why not: it may narrow, never widen (RFC 6749 6). */
export function refreshProblem(family: FamilyGrant, presented: PresentedRefresh): GrantError | { scope: string[] } {
  if (family.sub !== presented.subject) return refuse('invalid_grant', 'the refresh token is invalid');
  const unproved = keyProblem(family.jkt, presented.dpopJkt, 'the refresh token');
  if (unproved) return unproved;
  const granted = family.scope === '' ? [] : family.scope.split(' ');
  const scope = presented.requestedScope === null ? granted : [...presented.requestedScope];
  const widened = scope.find((s) => !granted.includes(s));
  if (widened !== undefined) return refuse('invalid_scope', `scope "${widened}" was not granted to this refresh token`);
  const dropped = scope.find((s) => !presented.allowedScopes.includes(s));
  if (dropped !== undefined) return refuse('invalid_scope', `scope "${dropped}" is no longer allowed for this client`);
  return resourceProblem(family.resource, presented) ?? { scope };
}

/** String equality that takes the same time wherever the strings differ (no early exit). */
export function equalInConstantTime(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return difference === 0;
}

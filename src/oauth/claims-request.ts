import { OAuthError, invalidRequest } from '../errors';
import type { RequestedClaims } from '../grant-rules';
import { isStandardClaim } from '../users/claims';

/**
 * The `claims` authorization request parameter (OpenID Connect Core 5.5): a JSON object whose `userinfo` and
 * `id_token` members name claims, each `null` or `{essential, value, values}`. The standard claims named are released
 * in the member they are asked for, besides what the scopes release; other names are ignored, as are other members.
 * `id_token.acr` with `value` or `values` narrows the authenticators that may satisfy the request (5.5.1.1).
 */
export interface ClaimsParameter {
  requested: RequestedClaims;
  /** What `id_token.acr` asks for; null when it names no values. */
  acr: { values: string[]; essential: boolean } | null;
}

const MEMBERS = ['userinfo', 'id_token'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parameter parsed; anything malformed is `invalid_request`. */
export function claimsParameterOf(value: string | undefined): ClaimsParameter | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidRequest('the claims parameter is not valid JSON');
  }
  if (!isObject(parsed)) throw invalidRequest('the claims parameter must be a JSON object');
  const requested: RequestedClaims = {};
  for (const member of MEMBERS) {
    const claims = parsed[member];
    if (claims === undefined) continue;
    if (!isObject(claims)) throw invalidRequest(`claims.${member} must be a JSON object`);
    for (const [name, request] of Object.entries(claims)) checkClaimRequest(`claims.${member}.${name}`, request);
    const names = Object.keys(claims).filter(isStandardClaim);
    if (names.length) requested[member] = names;
  }
  return { requested, acr: acrRequest(parsed.id_token) };
}

/** OpenID Connect Core 5.5.1: null, or an object whose `essential` is a boolean and `values` an array. */
function checkClaimRequest(path: string, request: unknown): void {
  if (request === null) return;
  if (!isObject(request)) throw invalidRequest(`${path} must be null or a JSON object`);
  if (request.essential !== undefined && typeof request.essential !== 'boolean') {
    throw invalidRequest(`${path}.essential must be true or false`);
  }
  if (request.values !== undefined && !Array.isArray(request.values)) throw invalidRequest(`${path}.values must be an array`);
}

function acrRequest(idToken: unknown): ClaimsParameter['acr'] {
  const acr = isObject(idToken) ? idToken.acr : undefined;
  if (!isObject(acr) || (acr.value === undefined && acr.values === undefined)) return null;
  const values = acr.value !== undefined ? [acr.value] : (acr.values as unknown[]);
  if (!values.every((v) => typeof v === 'string')) throw invalidRequest('claims.id_token.acr: the acr values must be strings');
  return { values: values as string[], essential: acr.essential === true };
}

/**
 * The acceptable authenticators narrowed by `id_token.acr`. A voluntary request none of them meets is ignored; an
 * essential one is a failed authentication (5.5.1.1).
 */
export function narrowedByAcrClaim(acceptable: string[], acr: ClaimsParameter['acr']): string[] {
  if (acr === null) return acceptable;
  const narrowed = acceptable.filter((authenticator) => acr.values.includes(authenticator));
  if (narrowed.length) return narrowed;
  if (acr.essential) throw new OAuthError('access_denied', 'no authenticator meets the essential acr of the claims parameter');
  return acceptable;
}

import { effectiveClient, type Client } from './client';
import { OAuthError } from './errors';
import type { OneTimeLedger } from '../ledger/client';
import type { KeySet } from '../tokens/keys';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/access-token';
import { activeRefreshToken, isFamilyRevoked, parseRefreshToken, revokeFamily, type Lifetimes } from './refresh-tokens';
import { findClientWithTemplate } from '../storage/clients';

/**
 * RFC 7662 introspection and RFC 7009 revocation. Both look a presented token up the same way: an access token
 * is one of our JWTs (revoked when its family is), a refresh token is `<familyId>.<secret>`, whose family holds
 * the grant. A caller sees and revokes only its own tokens, unless it is a designated resource server, which may
 * introspect any token.
 */

export interface TokenLookupDeps {
  db: D1Database;
  keys: KeySet;
  ledger: OneTimeLedger;
  issuer: string;
  now: number;
}

type Found =
  | { type: 'access_token'; claims: AccessTokenClaims }
  | { type: 'refresh_token'; familyId: string; clientId: string; sub: string; scope: string; exp: number };

async function lookUp(deps: TokenLookupDeps, token: string): Promise<Found | null> {
  const refresh = parseRefreshToken(token);
  if (refresh) {
    const active = await activeRefreshToken(deps.ledger, refresh, deps.now);
    if (!active) return null;
    const { grant, expiresAt } = active;
    return {
      type: 'refresh_token',
      familyId: refresh.familyId,
      clientId: grant.clientId,
      sub: grant.sub,
      scope: grant.scope,
      exp: Math.floor(expiresAt / 1000),
    };
  }
  try {
    return { type: 'access_token', claims: await verifyAccessToken(deps.keys, token, { issuer: deps.issuer, now: deps.now }) };
  } catch (error) {
    if (error instanceof OAuthError) return null;
    throw error;
  }
}

export async function introspect(deps: TokenLookupDeps, caller: Client, token: string): Promise<Record<string, unknown>> {
  const inactive = { active: false };
  const found = await lookUp(deps, token);
  if (!found) return inactive;
  const clientId = found.type === 'access_token' ? found.claims.client_id : found.clientId;
  if (clientId !== caller.clientId && !caller.resourceServer) return inactive;

  // The token's client as it is now: a deleted or disabled one takes its tokens with it.
  const record = await findClientWithTemplate(deps.db, clientId);
  const client = record && effectiveClient(record.client, record.template);
  if (!client) return inactive;

  if (found.type === 'refresh_token') {
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: clientId,
      sub: found.sub,
      scope: liveScope(found.scope, client),
      iss: deps.issuer,
      exp: found.exp,
    };
  }
  const { claims } = found;
  if (claims.fid !== undefined && (await isFamilyRevoked(deps.ledger, claims.fid, deps.now))) return inactive;
  return {
    active: true,
    token_type: 'Bearer',
    client_id: claims.client_id,
    sub: claims.sub,
    scope: liveScope(claims.scope, client),
    iss: claims.iss,
    aud: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
  };
}

/** Scopes the template has dropped since issue no longer count. */
const liveScope = (scope: string, client: Client) =>
  scope
    .split(' ')
    .filter((s) => client.scopes.includes(s))
    .join(' ');

/**
 * RFC 7009: revokes the token's whole grant (its family: the refresh token and every access token of it).
 * Unknown, invalid or expired tokens need nothing done; another client's token is refused.
 */
export async function revoke(deps: TokenLookupDeps, caller: Client, token: string, lifetimes: Lifetimes): Promise<void> {
  const found = await lookUp(deps, token);
  if (!found) return;
  const clientId = found.type === 'access_token' ? found.claims.client_id : found.clientId;
  if (clientId !== caller.clientId) throw new OAuthError('unauthorized_client', 'the token was issued to another client');
  const familyId = found.type === 'access_token' ? found.claims.fid : found.familyId;
  if (familyId !== undefined) await revokeFamily(deps.ledger, familyId, lifetimes);
}

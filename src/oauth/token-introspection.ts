import { activeClient, isPublicClient, type Client } from './client';
import { OAuthError, invalidClient } from '../errors';
import type { OneTimeLedger } from '../ledger/client';
import type { Store } from '../store/store';
import type { KeySet } from '../tokens/keys';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/access-token';
import { sha256Hex } from '../tokens/secrets';
import { activeRefreshToken, parseRefreshToken, retentionOf, type Lifetimes } from './refresh-tokens';
import type { FamilyGrant } from '../grant-rules';
import { clientLookup } from '../dcr/metadata-document-url';
import { isSubjectOf, type Subjects } from './subjects';

/**
 * RFC 7662 introspection and RFC 7009 revocation. An access token is one of our JWTs (dead when its grant is
 * revoked); a refresh token is `<grantId>.<sub>.<secret>`, alive while it is its family's current one. A caller sees
 * and revokes only its own tokens, unless it is a designated resource server, which may introspect any token.
 */

export interface TokenLookupDeps {
  store: Store;
  keys: KeySet;
  ledger: OneTimeLedger;
  issuer: string;
  now: number;
  subjects: Subjects;
}

/** A refresh token's `sub` is the one its client knows the user by (src/oauth/subjects.ts). */
type Found = { type: 'access_token'; claims: AccessTokenClaims } | { type: 'refresh_token'; grant: FamilyGrant; sub: string; exp: number };

async function verifiedAccessToken(deps: TokenLookupDeps, token: string): Promise<AccessTokenClaims | null> {
  try {
    return await verifyAccessToken(deps.keys, token, { issuer: deps.issuer, now: deps.now });
  } catch (error) {
    if (error instanceof OAuthError) return null;
    throw error;
  }
}

/** The live token, or null: one ledger call. */
async function lookUpToken(deps: TokenLookupDeps, token: string): Promise<Found | null> {
  const refresh = parseRefreshToken(token);
  if (refresh) {
    const active = await activeRefreshToken(deps.ledger, refresh, deps.now);
    return active && { type: 'refresh_token', grant: active.grant, sub: refresh.sub, exp: Math.floor(active.expiresAt / 1000) };
  }
  const claims = await verifiedAccessToken(deps, token);
  if (!claims || (await deps.ledger.isGrantRevoked(claims.fid))) return null;
  return { type: 'access_token', claims };
}

/**
 * The caller is authenticated while the token is looked up (one round trip for both); what the ledger said counts
 * only once the caller is known.
 */
export async function introspect(
  deps: TokenLookupDeps,
  authenticate: () => Promise<Client>,
  token: string,
): Promise<Record<string, unknown>> {
  const [caller, lookup] = await Promise.allSettled([authenticate(), lookUpToken(deps, token)]);
  if (caller.status === 'rejected') throw caller.reason;
  // RFC 7662 2.1: callers must authenticate, so that nobody scans for tokens; a public client proves nothing.
  if (isPublicClient(caller.value)) throw invalidClient('public clients cannot introspect tokens');
  if (lookup.status === 'rejected') throw lookup.reason;
  const inactive = { active: false };
  const found = lookup.value;
  if (!found) return inactive;
  const clientId = found.type === 'access_token' ? found.claims.client_id : found.grant.clientId;
  if (clientId !== caller.value.clientId && !caller.value.resourceServer) return inactive;

  // The token's client as it is now: a deleted or disabled one takes its tokens with it.
  const client = clientId === caller.value.clientId ? caller.value : activeClient((await deps.store.lookUp(clientLookup(clientId))).client);
  if (!client) return inactive;

  if (found.type === 'refresh_token') {
    const { grant } = found;
    if (!(await isSubjectOf(deps.subjects, client, grant.sub, found.sub))) return inactive;
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: clientId,
      sub: found.sub,
      scope: liveScope(grant.scope, client),
      iss: deps.issuer,
      exp: found.exp,
      ...(grant.jkt === undefined ? {} : { cnf: { jkt: grant.jkt } }),
    };
  }
  const { claims } = found;
  return {
    active: true,
    // RFC 9449 6.2: a DPoP-bound token says so, and names its key.
    token_type: claims.cnf ? 'DPoP' : 'Bearer',
    ...(claims.cnf ? { cnf: claims.cnf } : {}),
    client_id: claims.client_id,
    sub: claims.sub,
    scope: liveScope(claims.scope, client),
    iss: claims.iss,
    aud: claims.aud,
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

const otherClients = () => new OAuthError('unauthorized_client', 'the token was issued to another client');

/**
 * RFC 7009: revokes the token's whole grant (the refresh token and every access token of it), in one ledger call.
 * Unknown, invalid or expired tokens need nothing done and change nothing; another client's token is refused.
 */
export async function revoke(deps: TokenLookupDeps, caller: Client, token: string, lifetimes: Lifetimes): Promise<void> {
  const refresh = parseRefreshToken(token);
  if (refresh) {
    const outcome = await deps.ledger.revokeRefreshToken({
      grantId: refresh.grantId,
      tokenHash: await sha256Hex(refresh.secret),
      clientId: caller.clientId,
    });
    if (outcome === 'other-client') throw otherClients();
    return;
  }
  const claims = await verifiedAccessToken(deps, token);
  if (!claims) return;
  if (claims.client_id !== caller.clientId) throw otherClients();
  await deps.ledger.revokeGrant({ grantId: claims.fid, retainUntil: Math.max(retentionOf(lifetimes), claims.exp * 1000) });
}

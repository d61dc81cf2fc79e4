import { insufficientScope, invalidToken } from './errors';
import { effectiveClient } from './client';
import { isFamilyRevoked } from './refresh-tokens';
import type { OneTimeLedger } from '../ledger/client';
import type { AccessTokenClaims } from '../tokens/access-token';
import { findClientWithTemplate } from '../storage/clients';
import { getUserBySubject } from '../storage/users';
import { releasedClaims } from '../users/claims';

export interface UserinfoDeps {
  db: D1Database;
  ledger: OneTimeLedger;
  now: number;
}

/**
 * OpenID Connect Core 5.3 for a verified access token: `sub` and the claims its scopes release. The
 * token's family must not be revoked, and its client and scopes are checked against the template as it is now.
 */
export async function userinfo(deps: UserinfoDeps, token: AccessTokenClaims): Promise<Record<string, unknown>> {
  const [revoked, found, user] = await Promise.all([
    token.fid === undefined ? false : isFamilyRevoked(deps.ledger, token.fid, deps.now),
    findClientWithTemplate(deps.db, token.client_id),
    getUserBySubject(deps.db, token.sub),
  ]);
  if (revoked) throw invalidToken('the access token has been revoked');
  const client = found && effectiveClient(found.client, found.template);
  if (!client) throw invalidToken('the client of this access token is no longer active');
  const scopes = token.scope.split(' ').filter((scope) => client.scopes.includes(scope));
  if (!scopes.includes('openid')) throw insufficientScope('userinfo needs an access token with scope "openid"', 'openid');
  if (!user) throw invalidToken('the user of this access token no longer exists');
  return { ...releasedClaims(user.claims, scopes), sub: user.subject };
}

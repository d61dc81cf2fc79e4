import { insufficientScope, invalidToken } from '../errors';
import { activeClient } from './client';
import type { OneTimeLedger } from '../ledger/client';
import type { Store } from '../store/store';
import type { AccessTokenClaims } from '../tokens/access-token';
import { releasedClaims } from '../users/claims';
import { clientLookup } from '../dcr/metadata-document-url';
import { spendProof, type DPoPProof } from './dpop';

export interface UserinfoDeps {
  store: Store;
  ledger: OneTimeLedger;
}

/**
 * OpenID Connect Core 5.3 for a verified access token: `sub` and the claims its scopes release. The token's grant
 * must not be revoked, and its client and scopes are checked against the template as it is now; the DPoP proof that
 * came with a bound token is spent: the ledger and the store are asked at the same time, one round trip.
 */
export async function userinfo(
  deps: UserinfoDeps,
  token: AccessTokenClaims,
  proof: DPoPProof | null = null,
): Promise<Record<string, unknown>> {
  const [revoked, { client: record, user }] = await Promise.all([
    deps.ledger.isGrantRevoked(token.fid),
    deps.store.lookUp({ ...clientLookup(token.client_id), userSubject: token.sub }),
    proof && spendProof(deps.ledger, proof),
  ]);
  if (revoked) throw invalidToken('the access token has been revoked');
  const client = activeClient(record);
  if (!client) throw invalidToken('the client of this access token is no longer active');
  const scopes = token.scope.split(' ').filter((scope) => client.scopes.includes(scope));
  if (!scopes.includes('openid')) throw insufficientScope('userinfo needs an access token with scope "openid"', 'openid');
  if (!user) throw invalidToken('the user of this access token no longer exists');
  return { ...releasedClaims(user.claims, scopes), sub: user.subject };
}

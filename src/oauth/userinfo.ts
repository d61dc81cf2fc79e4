import { insufficientScope, invalidToken } from '../errors';
import { activeClient, type Client } from './client';
import type { OneTimeLedger } from '../ledger/client';
import type { Store } from '../store/store';
import type { AccessTokenClaims } from '../tokens/access-token';
import { claimsNamed, releasedClaims } from '../users/claims';
import { clientLookup } from '../dcr/metadata-document-url';
import { isSubjectOf, type Subjects } from './subjects';
import { spendProof, type DPoPProof } from './dpop';

export interface UserinfoDeps {
  store: Store;
  ledger: OneTimeLedger;
  subjects: Subjects;
}

/**
 * OpenID Connect Core 5.3 for a verified access token: `sub` and the claims its scopes release, with those the
 * grant's claims parameter asked for in `userinfo` (5.5). The token's grant must not be revoked, and its client and
 * scopes are checked against the template as it is now; the DPoP proof that came with a bound token is spent: the
 * ledger (the grant's status and claims request, the proof) and the store (the client and the user, a pairwise `sub`
 * opened first) are asked at the same time, one round trip. The answer says which client it is for: the route signs
 * it when that client asks for signed userinfo.
 */
export async function userinfo(
  deps: UserinfoDeps,
  token: AccessTokenClaims,
  proof: DPoPProof | null = null,
): Promise<{ client: Client; claims: Record<string, unknown> }> {
  const userSubject = await deps.subjects.toRead(token.sub);
  const [grant, { client: record, user }] = await Promise.all([
    deps.ledger.grantStatus(token.fid),
    deps.store.lookUp({ ...clientLookup(token.client_id), userSubject }),
    proof && spendProof(deps.ledger, proof),
  ]);
  if (grant.revoked) throw invalidToken('the access token has been revoked');
  const client = activeClient(record);
  if (!client) throw invalidToken('the client of this access token is no longer active');
  const scopes = token.scope.split(' ').filter((scope) => client.scopes.includes(scope));
  if (!scopes.includes('openid')) throw insufficientScope('userinfo needs an access token with scope "openid"', 'openid');
  if (!user) throw invalidToken('the user of this access token no longer exists');
  // A client switched between public and pairwise since the token was issued knows its users by other subs now.
  if (!(await isSubjectOf(deps.subjects, client, user.subject, token.sub)))
    throw invalidToken('the subject of this access token has changed');
  const claims = { ...releasedClaims(user.claims, scopes), ...claimsNamed(user.claims, grant.claims?.userinfo), sub: token.sub };
  return { client, claims };
}

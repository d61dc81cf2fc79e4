import type { OneTimeLedger } from '../ledger/client';
import type { AuditRecorder } from '../audit/recorder';
import { LEDGER_ID_PATTERN } from '../ledger/shards';
import { invalidGrant, OAuthError } from '../errors';
import type { FamilyGrant } from '../grant-rules';
import { randomToken, sha256Hex } from '../tokens/secrets';

/**
 * Refresh tokens are `<grantId>.<sub>.<secret>`. The grant id names the ledger shard where the family keeps its
 * current token's hash; rotation is one compare-and-swap there, and a rotated-out token coming back revokes the
 * family. The `sub` the client knows the user by rides along (a pairwise one, src/oauth/subjects.ts, only this server
 * can open) so that the token endpoint can read the user with the client, in one round trip, before the ledger is
 * called. Access tokens of the family carry its id (`fid`), so revoking it revokes them.
 */

const FORMAT = new RegExp(`^(${LEDGER_ID_PATTERN})\\.([A-Za-z0-9_-]{1,64})\\.([A-Za-z0-9_-]{43})$`);

/** The family state must outlive every token of the family: its refresh token and its last access token. */
export interface Lifetimes {
  now: number;
  refreshTtlSeconds: number;
  accessTtlSeconds: number;
}
export const expiryOf = (t: Lifetimes) => t.now + t.refreshTtlSeconds * 1000;
export const retentionOf = (t: Lifetimes) => t.now + Math.max(t.refreshTtlSeconds, t.accessTtlSeconds) * 1000;

/** A refresh token's secret and the hash the ledger keeps; the token is assembled once its grant and user are known. */
export async function newRefreshSecret(): Promise<{ secret: string; hash: string }> {
  const secret = randomToken(32);
  return { secret, hash: await sha256Hex(secret) };
}

export const refreshTokenOf = (grantId: string, sub: string, secret: string) => `${grantId}.${sub}.${secret}`;

export interface PresentedRefreshToken {
  grantId: string;
  sub: string;
  secret: string;
}

export function parseRefreshToken(token: string): PresentedRefreshToken | null {
  const match = FORMAT.exec(token);
  return match ? { grantId: match[1]!, sub: match[2]!, secret: match[3]! } : null;
}

/**
 * Rotates the presented token in one ledger call, which also checks the client and the scope. A rotated-out token
 * of this family revokes it; anything never issued for it is `invalid_grant` and changes nothing.
 */
export async function rotate(
  { ledger, audit }: { ledger: OneTimeLedger; audit: AuditRecorder },
  presented: PresentedRefreshToken,
  request: {
    clientId: string;
    /** The user's subject, whose `sub` the token carries. */
    subject: string;
    requestedScope: string[] | null;
    resource: string | null;
    allowedScopes: string[];
    allowedResources: readonly string[];
    lifetimes: Lifetimes;
    /** The thumbprint of the key of the request's DPoP proof, when it carried one. */
    dpopJkt?: string;
  },
): Promise<{ grant: FamilyGrant; scope: string[]; refreshToken: string }> {
  const next = await newRefreshSecret();
  const outcome = await ledger.rotateRefreshToken({
    grantId: presented.grantId,
    presentedHash: await sha256Hex(presented.secret),
    nextHash: next.hash,
    clientId: request.clientId,
    subject: request.subject,
    requestedScope: request.requestedScope,
    resource: request.resource,
    allowedScopes: request.allowedScopes,
    allowedResources: request.allowedResources,
    dpopJkt: request.dpopJkt ?? null,
    now: request.lifetimes.now,
    expiresAt: expiryOf(request.lifetimes),
    retainUntil: retentionOf(request.lifetimes),
  });
  switch (outcome.outcome) {
    case 'rotated':
      return { grant: outcome.grant, scope: outcome.scope, refreshToken: refreshTokenOf(presented.grantId, presented.sub, next.secret) };
    case 'replayed':
      audit.record('refresh_token.replayed', {
        clientId: request.clientId,
        subject: request.subject,
        details: { grant_id: presented.grantId },
      });
      throw invalidGrant('the refresh token was already used; every token of its grant is revoked');
    case 'refused':
      throw new OAuthError(outcome.error, outcome.description);
    case 'unknown':
      throw invalidGrant('the refresh token is invalid, expired or revoked');
  }
}

/**
 * The grant of a refresh token that is its family's current one and active, with the family's expiry; else null.
 * The `sub` it carries is checked once its client is known (src/oauth/token-introspection.ts).
 */
export async function activeRefreshToken(
  ledger: OneTimeLedger,
  presented: PresentedRefreshToken,
  now: number,
): Promise<{ grant: FamilyGrant; expiresAt: number } | null> {
  const status = await ledger.refreshTokenStatus({ grantId: presented.grantId, tokenHash: await sha256Hex(presented.secret), now });
  return status.active ? { grant: status.grant, expiresAt: status.expiresAt } : null;
}

import type { OneTimeLedger } from '../ledger/client';
import type { CodeRedemptionRequest } from '../ledger/ledger';
import type { AuditRecorder } from '../audit/recorder';
import { LEDGER_ID_PATTERN } from '../ledger/shards';
import { invalidGrant, OAuthError, serverError } from '../errors';
import type { CodeGrant } from '../grant-rules';
import { base64url, randomToken, sha256, sha256Hex } from '../tokens/secrets';

/**
 * Authorization codes are `<grantId>.<secret>` (256 random bits of secret). The grant id names the ledger shard
 * that holds what the code grants and, after the exchange, the grant's refresh-token family. The shard keeps only
 * the secret's hash and redeems the code exactly once; the code itself is stored nowhere.
 */
export const CODE_TTL_MS = 60_000;

const CODE_FORMAT = new RegExp(`^(${LEDGER_ID_PATTERN})\\.([A-Za-z0-9_-]{43})$`);

export async function issueAuthorizationCode(ledger: OneTimeLedger, code: CodeGrant, now: number): Promise<string> {
  const grantId = ledger.newGrantId();
  const secret = randomToken(32);
  const stored = await ledger.issueCode({ grantId, codeHash: await sha256Hex(secret), code, expiresAt: now + CODE_TTL_MS });
  if (!stored) throw serverError('could not store the authorization code');
  return `${grantId}.${secret}`;
}

export interface CodePresentation {
  code: string;
  clientId: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
  /** The `resource` parameter (RFC 8707), when the token request named one. */
  resource: string | undefined;
  allowedScopes: readonly string[];
  allowedResources: readonly string[];
  /** The thumbprint of the key of the token request's DPoP proof, when it carried one. */
  dpopJkt?: string;
  now: number;
  /**
   * The family the code starts, if it is valid: its first refresh token's hash (none without refresh), lifetimes, and
   * the DPoP key its refresh tokens are bound to, if they are.
   */
  family: CodeRedemptionRequest['family'];
}

/**
 * Redeems the code in one ledger call: the client, `redirect_uri` and PKCE are checked before it is spent, and the
 * grant's family starts with it. Only the code's own client presenting it again revokes what it issued.
 */
export async function redeemAuthorizationCode(
  { ledger, audit }: { ledger: OneTimeLedger; audit: AuditRecorder },
  presented: CodePresentation,
): Promise<{ grantId: string; code: CodeGrant }> {
  const match = CODE_FORMAT.exec(presented.code);
  if (!match) throw invalidGrant('the authorization code is invalid or has expired');
  const grantId = match[1]!;
  const redemption = await ledger.redeemCode({
    grantId,
    codeHash: await sha256Hex(match[2]!),
    clientId: presented.clientId,
    redirectUri: presented.redirectUri ?? null,
    verifierChallenge: presented.codeVerifier === undefined ? null : base64url(await sha256(presented.codeVerifier)),
    allowedScopes: presented.allowedScopes,
    allowedResources: presented.allowedResources,
    resource: presented.resource ?? null,
    dpopJkt: presented.dpopJkt ?? null,
    now: presented.now,
    family: presented.family,
  });
  switch (redemption.outcome) {
    case 'redeemed':
      return { grantId, code: redemption.code };
    case 'reused':
      // RFC 6749 4.1.2: a code used twice may be in an attacker's hands; what it issued is revoked.
      audit.record('authorization_code.replayed', { clientId: presented.clientId, details: { grant_id: grantId } });
      throw invalidGrant('the authorization code has already been used; the tokens it issued are revoked');
    case 'refused':
      throw new OAuthError(redemption.error, redemption.description);
    case 'unknown':
      throw invalidGrant('the authorization code is invalid or has expired');
  }
}

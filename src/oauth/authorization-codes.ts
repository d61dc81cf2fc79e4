import type { OneTimeLedger } from '../ledger/client';
import { serverError } from './errors';
import { randomToken, sha256Hex } from '../tokens/secrets';
import { grantLedgerName } from './refresh-tokens';

/**
 * Authorization codes are `<familyId>.<secret>` (256 random bits of secret). What a code grants lives in its grant's
 * ledger object, the one that then holds the grant's refresh-token family: the code exchange reuses the object the
 * authorization request made instead of creating a second one. The object keeps only the secret's hash and redeems
 * the code exactly once; the code itself is stored nowhere.
 */
export const CODE_TTL_MS = 60_000;

/** Everything the token endpoint needs to turn a code into tokens. */
export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  sub: string;
  /** Seconds since epoch. */
  authTime: number;
  acr: string;
  /** Names the refresh-token family the code's tokens belong to, so a replayed code can revoke them. */
  familyId: string;
}

const CODE_FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export async function issueAuthorizationCode(ledger: OneTimeLedger, grant: CodeGrant, now: number): Promise<string> {
  const secret = randomToken(32);
  const stored = await ledger.issueCode(grantLedgerName(grant.familyId), await sha256Hex(secret), JSON.stringify(grant), now + CODE_TTL_MS);
  if (!stored) throw serverError('could not store the authorization code');
  return `${grant.familyId}.${secret}`;
}

export type Redemption = { outcome: 'redeemed' | 'reused'; grant: CodeGrant } | { outcome: 'invalid' };

/** One synchronous check-and-mark in the code's ledger object; malformed codes never reach the ledger. */
export async function redeemAuthorizationCode(ledger: OneTimeLedger, code: string, now: number): Promise<Redemption> {
  const match = CODE_FORMAT.exec(code);
  if (!match) return { outcome: 'invalid' };
  const result = await ledger.redeemCode(grantLedgerName(match[1]!), await sha256Hex(match[2]!), now);
  if (result.outcome === 'redeemed' || result.outcome === 'reused') return { outcome: result.outcome, grant: JSON.parse(result.record) };
  return { outcome: 'invalid' };
}

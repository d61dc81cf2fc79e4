import type { OneTimeLedger } from '../ledger/client';
import { serverError } from './errors';
import { randomToken, sha256Hex } from '../tokens/secrets';

/**
 * Authorization codes: 256 random bits handed to the client; what they grant lives in the ledger object
 * named by the code's hash, which redeems it exactly once. The code itself is stored nowhere.
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

const CODE_FORMAT = /^[A-Za-z0-9_-]{43}$/;
const ledgerName = async (code: string) => `code:${await sha256Hex(code)}`;

export async function issueAuthorizationCode(ledger: OneTimeLedger, grant: CodeGrant, now: number): Promise<string> {
  const code = randomToken(32);
  if (!(await ledger.issueCode(await ledgerName(code), JSON.stringify(grant), now + CODE_TTL_MS))) {
    throw serverError('could not store the authorization code');
  }
  return code;
}

export type Redemption = { outcome: 'redeemed' | 'reused'; grant: CodeGrant } | { outcome: 'invalid' };

/** One synchronous check-and-mark in the code's ledger object; malformed codes never reach the ledger. */
export async function redeemAuthorizationCode(ledger: OneTimeLedger, code: string, now: number): Promise<Redemption> {
  if (!CODE_FORMAT.test(code)) return { outcome: 'invalid' };
  const result = await ledger.redeemCode(await ledgerName(code), now);
  if (result.outcome === 'redeemed' || result.outcome === 'reused') return { outcome: result.outcome, grant: JSON.parse(result.record) };
  return { outcome: 'invalid' };
}

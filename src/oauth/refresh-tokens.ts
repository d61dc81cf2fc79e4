import type { OneTimeLedger } from '../ledger/client';
import { randomToken, sha256Hex } from '../tokens/secrets';

/**
 * Refresh tokens are `<familyId>.<secret>`. The family's ledger object keeps the current secret's hash and
 * the grant; rotation is one compare-and-swap there, and presenting a rotated token revokes the family.
 * Access tokens of the family carry its id (`fid`), so revoking it revokes them too.
 */

/** What a family was granted, fixed at the code exchange. */
export interface FamilyGrant {
  clientId: string;
  sub: string;
  scope: string;
  /** Seconds since epoch. */
  authTime: number;
  acr: string;
}

const FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** The grant's ledger object: its authorization code, then its refresh-token family. */
export const grantLedgerName = (familyId: string) => `family:${familyId}`;

export const newFamilyId = () => randomToken(16);

/** The family state must outlive every token of the family: its refresh token and its last access token. */
export interface Lifetimes {
  now: number;
  refreshTtlSeconds: number;
  accessTtlSeconds: number;
}
const expiryOf = (t: Lifetimes) => t.now + t.refreshTtlSeconds * 1000;
const retentionOf = (t: Lifetimes) => t.now + Math.max(t.refreshTtlSeconds, t.accessTtlSeconds) * 1000;

/** The family's first refresh token, or null when the family was revoked first (its code was replayed). */
export async function startFamily(ledger: OneTimeLedger, familyId: string, grant: FamilyGrant, t: Lifetimes): Promise<string | null> {
  const secret = randomToken(32);
  const started = await ledger.startFamily(
    grantLedgerName(familyId),
    await sha256Hex(secret),
    JSON.stringify(grant),
    expiryOf(t),
    retentionOf(t),
  );
  return started ? `${familyId}.${secret}` : null;
}

export type PresentedRefreshToken = { familyId: string; secret: string };

export function parseRefreshToken(token: string): PresentedRefreshToken | null {
  const match = FORMAT.exec(token);
  return match ? { familyId: match[1]!, secret: match[2]! } : null;
}

/** The family's grant while it is active (not revoked, not expired), else null. */
export async function activeFamilyGrant(ledger: OneTimeLedger, familyId: string, now: number): Promise<FamilyGrant | null> {
  const state = await ledger.familyState(grantLedgerName(familyId), now);
  return state.state === 'active' ? JSON.parse(state.grant) : null;
}

/** The grant of a refresh token that is its family's current one and active, with the family's expiry; else null. */
export async function activeRefreshToken(
  ledger: OneTimeLedger,
  presented: PresentedRefreshToken,
  now: number,
): Promise<{ grant: FamilyGrant; expiresAt: number } | null> {
  const state = await ledger.refreshTokenState(grantLedgerName(presented.familyId), await sha256Hex(presented.secret), now);
  return state.state === 'active' ? { grant: JSON.parse(state.grant), expiresAt: state.expiresAt } : null;
}

/** The next refresh token, or null when `presented` is not the family's current one (then the family is revoked). */
export async function rotate(ledger: OneTimeLedger, presented: PresentedRefreshToken, t: Lifetimes): Promise<string | null> {
  const next = randomToken(32);
  const outcome = await ledger.rotateRefreshToken(
    grantLedgerName(presented.familyId),
    await sha256Hex(presented.secret),
    await sha256Hex(next),
    t.now,
    expiryOf(t),
    retentionOf(t),
  );
  return outcome === 'rotated' ? `${presented.familyId}.${next}` : null;
}

export const revokeFamily = (ledger: OneTimeLedger, familyId: string, t: Lifetimes) =>
  ledger.revokeFamily(grantLedgerName(familyId), retentionOf(t));

export async function isFamilyRevoked(ledger: OneTimeLedger, familyId: string, now: number): Promise<boolean> {
  return (await ledger.familyState(grantLedgerName(familyId), now)).state === 'revoked';
}

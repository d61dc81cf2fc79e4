import type { CodeRedemption, FamilyState, Ledger, Rotation } from './ledger';
import { temporarilyUnavailable } from '../oauth/errors';

export type { CodeRedemption, FamilyState, Rotation };

/**
 * What the domain needs from the ledger; routes build it from the Durable Object binding. Every method
 * throws `temporarily_unavailable` (503) when the ledger cannot answer: callers fail closed.
 */
export interface OneTimeLedger {
  /** True exactly once per name. */
  consume(name: string, now: number, expiresAt: number): Promise<boolean>;
  /** Stores an authorization code's hash and grant under `name`; false when that grant has a code already. */
  issueCode(name: string, codeHash: string, record: string, expiresAt: number): Promise<boolean>;
  redeemCode(name: string, presentedHash: string, now: number): Promise<CodeRedemption>;
  startFamily(name: string, tokenHash: string, grant: string, expiresAt: number, retainUntil: number): Promise<boolean>;
  familyState(name: string, now: number): Promise<FamilyState>;
  refreshTokenState(name: string, presentedHash: string, now: number): Promise<FamilyState>;
  rotateRefreshToken(
    name: string,
    presentedHash: string,
    nextHash: string,
    now: number,
    expiresAt: number,
    retainUntil: number,
  ): Promise<Rotation>;
  revokeFamily(name: string, retainUntil: number): Promise<void>;
}

export function durableLedger(namespace: DurableObjectNamespace<Ledger>): OneTimeLedger {
  /** Runs one RPC on the object called `name`. Never retried: a call that reached the object may have taken effect. */
  async function call<T>(name: string, rpc: (stub: DurableObjectStub<Ledger>) => Promise<T>): Promise<T> {
    try {
      return await rpc(namespace.get(namespace.idFromName(name)));
    } catch {
      throw temporarilyUnavailable('the one-time token ledger is unavailable; try again with a new token');
    }
  }
  return {
    consume: (name, now, expiresAt) => call(name, (stub) => stub.consume(now, expiresAt)),
    issueCode: (name, codeHash, record, expiresAt) => call(name, (stub) => stub.issueCode(codeHash, record, expiresAt)),
    redeemCode: (name, presentedHash, now) =>
      call(name, async (stub): Promise<CodeRedemption> => await stub.redeemCode(presentedHash, now)),
    startFamily: (name, tokenHash, grant, expiresAt, retainUntil) =>
      call(name, (stub) => stub.startFamily(tokenHash, grant, expiresAt, retainUntil)),
    familyState: (name, now) => call(name, async (stub): Promise<FamilyState> => await stub.familyState(now)),
    refreshTokenState: (name, presentedHash, now) =>
      call(name, async (stub): Promise<FamilyState> => await stub.refreshTokenState(presentedHash, now)),
    rotateRefreshToken: (name, presentedHash, nextHash, now, expiresAt, retainUntil) =>
      call(name, (stub) => stub.rotateRefreshToken(presentedHash, nextHash, now, expiresAt, retainUntil)),
    revokeFamily: (name, retainUntil) => call(name, (stub) => stub.revokeFamily(retainUntil)),
  };
}

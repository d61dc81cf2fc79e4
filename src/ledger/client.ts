import type { Ledger } from './ledger';
import { temporarilyUnavailable } from '../oauth/errors';

/** What the domain needs from the ledger; routes build it from the Durable Object binding. */
export interface OneTimeLedger {
  /** True exactly once per name; throws `temporarily_unavailable` (503) when the ledger cannot answer. */
  consume(name: string, now: number, expiresAt: number): Promise<boolean>;
}

export function durableLedger(namespace: DurableObjectNamespace<Ledger>): OneTimeLedger {
  return {
    async consume(name, now, expiresAt) {
      try {
        const stub = namespace.get(namespace.idFromName(name));
        return await stub.consume(now, expiresAt);
      } catch {
        // Fail closed, and never retry: a consume that reached the object may have succeeded.
        throw temporarilyUnavailable('the one-time token ledger is unavailable; try again with a new token');
      }
    },
  };
}

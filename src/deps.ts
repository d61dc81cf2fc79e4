import type { Env, Settings } from './env';
import { issuerFor, type Configuration } from './configuration';
import { durableLedger, type LedgerPlacement, type OneTimeLedger } from './ledger/client';
import { regionOf, type RequestLocation } from './ledger/shards';
import type { Store } from './store/store';
import { d1Store } from './store/d1';
import type { KeySet } from './tokens/keys';

/** Seams for tests: an injected clock, and fault injection at the ledger. Production uses the defaults. */
export interface AppOptions {
  clock?: () => number;
  ledger?: (env: Env, placement: LedgerPlacement) => OneTimeLedger;
}

/** Per-request services. `now` is read once, so every expiry decision in a request uses one clock reading. */
export interface RequestDeps {
  env: Env;
  store: Store;
  settings: Settings;
  issuer: string;
  now: number;
  ledger: OneTimeLedger;
  keys: () => Promise<KeySet>;
}

/** Where no location is known (local runs), new tokens go to eastern North America's shards. */
const FALLBACK_REGION = 'enam';

/** Throws a ConfigurationError when the request's host may not stand in for an unset ISSUER. */
export function requestDeps(env: Env, request: Request, options: AppOptions, { settings, keys }: Configuration): RequestDeps {
  const now = (options.clock ?? Date.now)();
  return {
    env,
    store: d1Store(env.DB, { readReplicas: settings.readReplicas, lookupCacheSeconds: settings.clientCacheSeconds, now }),
    settings,
    issuer: issuerFor(settings, new URL(request.url)),
    now,
    ledger: requestLedger(env, request, options, settings.ledgerShards),
    keys: async () => keys,
  };
}

/** The ledger as this request reaches it: new ids go to the shards of the request's region. */
export function requestLedger(env: Env, request: Request, options: AppOptions, shardCount: number): OneTimeLedger {
  const placement = { region: regionOf(request.cf as RequestLocation | undefined, FALLBACK_REGION), shardCount };
  return (options.ledger ?? ((e: Env, p: LedgerPlacement) => durableLedger(e.LEDGER, p)))(env, placement);
}

import { settingsOf, type Env, type Settings } from './env';
import { durableLedger, type LedgerPlacement, type OneTimeLedger } from './ledger/client';
import { regionOf, type RequestLocation } from './ledger/shards';
import type { Store } from './store/store';
import { d1Store } from './store/d1';
import { loadKeySet, type KeySet } from './tokens/keys';
import type { JWTVerifyGetKey } from 'jose';
import { accessKeySet } from './admin/access';

/** Seams for tests: an injected clock, fault injection at the ledger, local Access keys. Production uses the defaults. */
export interface AppOptions {
  clock?: () => number;
  ledger?: (env: Env, placement: LedgerPlacement) => OneTimeLedger;
  /** Cloudflare Access's signing keys; by default the team's published ones, fetched at first use. */
  accessKeys?: JWTVerifyGetKey;
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
  /** The keys Cloudflare Access assertions are checked with, when Access is configured. */
  accessKeys: JWTVerifyGetKey | null;
}

/** Where no location is known (local runs), new tokens go to eastern North America's shards. */
const FALLBACK_REGION = 'enam';

export function requestDeps(env: Env, request: Request, options: AppOptions): RequestDeps {
  const settings = settingsOf(env);
  const now = (options.clock ?? Date.now)();
  const placement = { region: regionOf(request.cf as RequestLocation | undefined, FALLBACK_REGION), shardCount: settings.ledgerShards };
  return {
    env,
    store: d1Store(env.DB, { readReplicas: settings.readReplicas, lookupCacheSeconds: settings.clientCacheSeconds, now }),
    settings,
    issuer: settings.issuer ?? new URL(request.url).origin,
    now,
    ledger: (options.ledger ?? ((e: Env, p: LedgerPlacement) => durableLedger(e.LEDGER, p)))(env, placement),
    keys: () => loadKeySet(env.SIGNING_KEYS),
    accessKeys: settings.access ? (options.accessKeys ?? accessKeySet(settings.access.teamDomain)) : null,
  };
}

import { settingsOf, type Env, type Settings } from './env';
import { durableLedger, type LedgerPlacement, type OneTimeLedger } from './ledger/client';
import { regionOf, type RequestLocation } from './ledger/shards';
import type { Store } from './store/store';
import { d1Store } from './store/d1';
import { loadKeySet, type KeySet } from './tokens/keys';
import { metadataDocuments, type MetadataDocuments } from './dcr/metadata-document';

/**
 * Seams for tests: an injected clock, fault injection at the ledger, and the outbound fetch (Workers-runtime tests
 * cannot run an HTTP server for client metadata documents; the end-to-end tests use a real one). Production uses the
 * defaults.
 */
export interface AppOptions {
  clock?: () => number;
  ledger?: (env: Env, placement: LedgerPlacement) => OneTimeLedger;
  outboundFetch?: typeof fetch;
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
  metadataDocuments: MetadataDocuments;
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
    metadataDocuments: metadataDocuments(options.outboundFetch ?? ((input, init) => fetch(input, init))),
  };
}

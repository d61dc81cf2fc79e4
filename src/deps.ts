import { settingsOf, type Env, type Settings } from './env';
import { durableLedger, type OneTimeLedger } from './ledger/client';
import { loadKeySet, type KeySet } from './tokens/keys';

/** Seams for tests: an injected clock, and fault injection at the ledger. Production uses the defaults. */
export interface AppOptions {
  clock?: () => number;
  ledger?: (env: Env) => OneTimeLedger;
}

/** Per-request services. `now` is read once, so every expiry decision in a request uses one clock reading. */
export interface RequestDeps {
  env: Env;
  db: D1Database;
  settings: Settings;
  issuer: string;
  now: number;
  ledger: OneTimeLedger;
  keys: () => Promise<KeySet>;
}

export function requestDeps(env: Env, requestUrl: string, options: AppOptions): RequestDeps {
  const settings = settingsOf(env);
  return {
    env,
    db: env.DB,
    settings,
    issuer: settings.issuer ?? new URL(requestUrl).origin,
    now: (options.clock ?? Date.now)(),
    ledger: (options.ledger ?? ((e: Env) => durableLedger(e.LEDGER)))(env),
    keys: () => loadKeySet(env.SIGNING_KEYS),
  };
}

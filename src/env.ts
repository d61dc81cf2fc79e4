import type { Ledger } from './ledger/ledger';

/** Bindings and secrets the Worker is deployed with (wrangler.toml, .dev.vars). */
export interface Env {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<Ledger>;
  ADMIN_TOKEN: string;
  /** JSON array of private JWKs, each with `alg` (RS256 or ES256) and `kid`; the first of each alg signs. */
  SIGNING_KEYS: string;
  /** Keys the HMAC on the login session and CSRF cookies; at least 32 random bytes. */
  SESSION_SECRET: string;
  DCR_ENABLED?: string;
  DCR_TEMPLATIZED?: string;
  DCR_NON_TEMPLATIZED?: string;
  ISSUER?: string;
  IAT_TTL?: string;
  ACCESS_TOKEN_TTL?: string;
  DCR_DYNAMIC_SCOPES?: string;
  CLIENT_CACHE_SECONDS?: string;
  D1_READ_REPLICAS?: string;
  LEDGER_SHARDS?: string;
}

export interface Settings {
  dcrEnabled: boolean;
  dcrTemplatized: boolean;
  dcrNonTemplatized: boolean;
  /** Fixed issuer, or null to use the request's origin. */
  issuer: string | null;
  iatTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** Scopes a client registered without a template may ask for. */
  dynamicClientScopes: string[];
  /** Per-isolate cache of hot-path lookups, seconds (the staleness it allows); 0: off, every request reads the primary. */
  clientCacheSeconds: number;
  /** Hot-path reads through the D1 Sessions API, which may answer from a read replica. */
  readReplicas: boolean;
  /** Ledger shards per region (docs/architecture.md: grow it, never shrink it while tokens are in flight). */
  ledgerShards: number;
}

const parsed = new WeakMap<Env, Settings>();

/** Settings are parsed once per env object (once per isolate in practice). A bad var fails loudly at first use. */
export function settingsOf(env: Env): Settings {
  let settings = parsed.get(env);
  if (!settings) {
    settings = {
      dcrEnabled: flag('DCR_ENABLED', env.DCR_ENABLED, true),
      dcrTemplatized: flag('DCR_TEMPLATIZED', env.DCR_TEMPLATIZED, true),
      dcrNonTemplatized: flag('DCR_NON_TEMPLATIZED', env.DCR_NON_TEMPLATIZED, false),
      issuer: env.ISSUER ? env.ISSUER.replace(/\/+$/, '') : null,
      iatTtlSeconds: seconds('IAT_TTL', env.IAT_TTL, 300),
      accessTokenTtlSeconds: seconds('ACCESS_TOKEN_TTL', env.ACCESS_TOKEN_TTL, 3600),
      dynamicClientScopes: (env.DCR_DYNAMIC_SCOPES ?? 'openid').split(' ').filter(Boolean),
      clientCacheSeconds: whole('CLIENT_CACHE_SECONDS', env.CLIENT_CACHE_SECONDS, 0, 0, 3600),
      readReplicas: flag('D1_READ_REPLICAS', env.D1_READ_REPLICAS, false),
      ledgerShards: whole('LEDGER_SHARDS', env.LEDGER_SHARDS, 32, 1, 1024),
    };
    parsed.set(env, settings);
  }
  return settings;
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`setting ${name} must be "true" or "false"`);
}

const seconds = (name: string, value: string | undefined, fallback: number) => whole(name, value, fallback, 1, 31_536_000);

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`setting ${name} must be a whole number from ${min} to ${max}`);
  return n;
}

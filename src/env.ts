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

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`setting ${name} must be a positive whole number of seconds`);
  return n;
}

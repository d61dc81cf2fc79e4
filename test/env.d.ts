import type { D1Migration } from 'cloudflare:test';

// Bindings the Workers-runtime tests add to the Worker's own (worker-configuration.d.ts): see vitest.config.ts.
declare global {
  namespace Cloudflare {
    interface Env {
      NEXT_SIGNING_KEYS: string;
      TEST_MIGRATIONS: D1Migration[];
      TEST_SCHEMA: string;
      SCHEMA_DB: D1Database;
      TIGHT_LIMITER: RateLimit;
    }
  }
}

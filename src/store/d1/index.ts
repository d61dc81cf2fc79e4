import type { Store } from '../store';
import { cachedLookUp } from '../lookup-cache';
import { d1Clients } from './clients';
import { d1Consents } from './consents';
import { lookUp } from './lookup';
import { d1Templates } from './templates';
import { d1Users } from './users';
import { d1Audit } from './audit';

export interface D1StoreOptions {
  /** Hot-path lookups through the D1 Sessions API, which may answer from a read replica (no freshness bound). */
  readReplicas: boolean;
  /** Per-isolate lookup cache lifetime; 0 turns it off. */
  lookupCacheSeconds: number;
  now: number;
}

/** The store over one D1 database. Writes and admin reads always go to the primary. */
export function d1Store(db: D1Database, options: D1StoreOptions): Store {
  const reads = options.readReplicas ? db.withSession('first-unconstrained') : db;
  // A login reads the primary: its failed sign-ins must be current (src/users/sign-in.ts).
  const direct = (request: Parameters<Store['lookUp']>[0]) => lookUp(request.username === undefined ? reads : db, request);
  return {
    async ping() {
      await db.prepare('SELECT 1').first();
    },
    lookUp: options.lookupCacheSeconds > 0 ? cachedLookUp(direct, options.lookupCacheSeconds, options.now) : direct,
    async counts() {
      const row = await db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM templates) AS templates,
                  (SELECT COUNT(*) FROM clients WHERE kind = 'instance') AS instances,
                  (SELECT COUNT(*) FROM clients WHERE kind = 'static') AS static_clients,
                  (SELECT COUNT(*) FROM clients WHERE kind = 'dynamic') AS dynamic_clients,
                  (SELECT COUNT(*) FROM users) AS users`,
        )
        .first<{ templates: number; instances: number; static_clients: number; dynamic_clients: number; users: number }>();
      return {
        templates: row!.templates,
        instances: row!.instances,
        staticClients: row!.static_clients,
        dynamicClients: row!.dynamic_clients,
        users: row!.users,
      };
    },
    templates: d1Templates(db),
    clients: d1Clients(db),
    users: d1Users(db),
    consents: d1Consents(db),
    audit: d1Audit(db),
  };
}

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
  // A login reads the primary: its failed sign-ins must be current (src/users/lockout.ts).
  const direct = (request: Parameters<Store['lookUp']>[0]) => lookUp(request.username === undefined ? reads : db, request);
  return {
    async ping() {
      await db.prepare('SELECT 1').first();
    },
    lookUp: options.lookupCacheSeconds > 0 ? cachedLookUp(direct, options.lookupCacheSeconds, options.now) : direct,
    templates: d1Templates(db),
    clients: d1Clients(db),
    users: d1Users(db),
    consents: d1Consents(db),
    audit: d1Audit(db),
  };
}

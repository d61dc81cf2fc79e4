import type { ConsentStore } from '../store';

/** Consents in D1: one row per user and client; a new approval replaces the old (it covers at least as much). */
export function d1Consents(db: D1Database): ConsentStore {
  return {
    async grant({ subject, clientId, scopes, now }) {
      await db
        .prepare(
          `INSERT INTO consents (subject, client_id, scopes, granted_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (subject, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`,
        )
        .bind(subject, clientId, scopes.join(' '), now)
        .run();
    },
  };
}

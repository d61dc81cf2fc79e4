import type { UserStore } from '../store';
import { userFromRow, type UserRow } from './rows';
import { pageOf, rowsFor } from './paging';

/** Users in D1. The password hash never leaves the store except to the authenticator. */
export function d1Users(db: D1Database): UserStore {
  return {
    async get(username) {
      const row = await db.prepare('SELECT * FROM users WHERE username = ?').bind(username).first<UserRow>();
      return row ? userFromRow(row) : null;
    },

    async page({ after, limit }) {
      const { results } = await db
        .prepare('SELECT * FROM users WHERE username > ? ORDER BY username LIMIT ?')
        .bind(after ?? '', rowsFor(limit))
        .all<UserRow>();
      return pageOf(results, limit, userFromRow);
    },

    async insert(user) {
      const { meta } = await db
        .prepare(
          `INSERT INTO users (username, subject, password_hash, claims, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .bind(user.username, user.subject, user.passwordHash, JSON.stringify(user.claims), user.now, user.now)
        .run();
      return meta.changes === 1;
    },

    async update(update) {
      // updated_at always grows (by 1 ms within one clock tick), so that it can serve as the user's version.
      const [updated, current] = await db.batch<UserRow>([
        db
          .prepare(
            `UPDATE users SET password_hash = COALESCE(?1, password_hash), claims = COALESCE(?2, claims),
                              updated_at = MAX(?3, updated_at + 1)
             WHERE username = ?4 AND (?5 IS NULL OR updated_at = ?5) RETURNING *`,
          )
          .bind(
            update.passwordHash ?? null,
            update.claims ? JSON.stringify(update.claims) : null,
            update.now,
            update.username,
            update.expectedUpdatedAt ?? null,
          ),
        db.prepare('SELECT username FROM users WHERE username = ?').bind(update.username),
      ]);
      const row = updated!.results[0];
      if (row) return { written: userFromRow(row) };
      return current!.results[0] ? { conflict: true } : { missing: true };
    },

    async delete(username, expectedUpdatedAt) {
      const { meta } = await db
        .prepare('DELETE FROM users WHERE username = ?1 AND (?2 IS NULL OR updated_at = ?2)')
        .bind(username, expectedUpdatedAt ?? null)
        .run();
      return meta.changes === 1;
    },
  };
}

import type { UserStore } from '../store';
import { userFromRow, type UserRow } from './rows';

/** Users in D1. The password hash never leaves the store except to the authenticator. */
export function d1Users(db: D1Database): UserStore {
  return {
    async get(username) {
      const row = await db.prepare('SELECT * FROM users WHERE username = ?').bind(username).first<UserRow>();
      return row ? userFromRow(row) : null;
    },

    async list() {
      const { results } = await db.prepare('SELECT * FROM users ORDER BY username').all<UserRow>();
      return results.map(userFromRow);
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
      const row = await db
        .prepare(
          `UPDATE users SET password_hash = COALESCE(?, password_hash), claims = COALESCE(?, claims), updated_at = ?
           WHERE username = ? RETURNING *`,
        )
        .bind(update.passwordHash ?? null, update.claims ? JSON.stringify(update.claims) : null, update.now, update.username)
        .first<UserRow>();
      return row ? userFromRow(row) : null;
    },

    async delete(username) {
      const row = await db.prepare('DELETE FROM users WHERE username = ? RETURNING *').bind(username).first<UserRow>();
      return row ? userFromRow(row) : null;
    },
  };
}

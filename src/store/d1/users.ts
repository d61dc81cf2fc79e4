import type { UserStore } from '../store';
import { pageOf, rowsFor } from './paging';
import { loginFailuresFromRow, userFromRow, type LoginFailuresRow, type UserRow } from './rows';

/** Forgotten failed sign-ins deleted at most per recorded failure: the sweep rides on the writes. */
const SWEEP_LIMIT = 20;

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

    async recordLoginFailure(username, now, policy) {
      const forgetBefore = now - policy.memorySeconds * 1000;
      const [, , locked] = await db.batch<LoginFailuresRow>([
        db
          .prepare('DELETE FROM login_failures WHERE username IN (SELECT username FROM login_failures WHERE last_failed_at <= ? LIMIT ?)')
          .bind(forgetBefore, SWEEP_LIMIT),
        db
          .prepare(
            `INSERT INTO login_failures (username, failures, last_failed_at) VALUES (?1, 1, ?2)
             ON CONFLICT (username) DO UPDATE SET failures = CASE WHEN last_failed_at <= ?3 THEN 1 ELSE failures + 1 END,
                                                  last_failed_at = ?2`,
          )
          .bind(username, now, forgetBefore),
        // LockoutPolicy (src/model.ts) on the count just written: lockout x 2^(failures - max), capped; no lock below max.
        db
          .prepare(
            `UPDATE login_failures SET locked_until = CASE WHEN failures >= ?2 THEN ?3 + min(?4, ?5 << min(failures - ?2, 30)) END
             WHERE username = ?1 RETURNING *`,
          )
          .bind(username, policy.maxFailures, now, policy.maxLockoutSeconds * 1000, policy.lockoutSeconds * 1000),
      ]);
      return loginFailuresFromRow(locked!.results[0]!);
    },

    async clearLoginFailures(username) {
      await db.prepare('DELETE FROM login_failures WHERE username = ?').bind(username).run();
    },

    async delete(username, expectedUpdatedAt) {
      const row = await db
        .prepare('DELETE FROM users WHERE username = ?1 AND (?2 IS NULL OR updated_at = ?2) RETURNING *')
        .bind(username, expectedUpdatedAt ?? null)
        .first<UserRow>();
      return row ? userFromRow(row) : null;
    },
  };
}

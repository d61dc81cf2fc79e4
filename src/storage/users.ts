import type { UserClaims } from '../users/schemas';

/** Users in D1. The password hash never leaves this module except to the authenticator. */

export interface StoredUser {
  username: string;
  subject: string;
  passwordHash: string;
  claims: UserClaims;
  createdAt: number;
  updatedAt: number;
}

interface UserRow {
  username: string;
  subject: string;
  password_hash: string;
  claims: string;
  created_at: number;
  updated_at: number;
}

const userFromRow = (row: UserRow): StoredUser => ({
  username: row.username,
  subject: row.subject,
  passwordHash: row.password_hash,
  claims: JSON.parse(row.claims),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function getUser(db: D1Database, username: string): Promise<StoredUser | null> {
  const row = await db.prepare('SELECT * FROM users WHERE username = ?').bind(username).first<UserRow>();
  return row ? userFromRow(row) : null;
}

export async function getUserBySubject(db: D1Database, subject: string): Promise<StoredUser | null> {
  const row = await db.prepare('SELECT * FROM users WHERE subject = ?').bind(subject).first<UserRow>();
  return row ? userFromRow(row) : null;
}

export async function listUsers(db: D1Database): Promise<StoredUser[]> {
  const { results } = await db.prepare('SELECT * FROM users ORDER BY username').all<UserRow>();
  return results.map(userFromRow);
}

/** False when the username is taken. */
export async function insertUser(
  db: D1Database,
  user: { username: string; subject: string; passwordHash: string; claims: UserClaims; now: number },
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `INSERT INTO users (username, subject, password_hash, claims, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (username) DO NOTHING`,
    )
    .bind(user.username, user.subject, user.passwordHash, JSON.stringify(user.claims), user.now, user.now)
    .run();
  return meta.changes === 1;
}

/** Changes what is given; null when there is no such user. */
export async function updateUser(
  db: D1Database,
  update: { username: string; passwordHash?: string; claims?: UserClaims; now: number },
): Promise<StoredUser | null> {
  const row = await db
    .prepare(
      `UPDATE users SET password_hash = COALESCE(?, password_hash), claims = COALESCE(?, claims), updated_at = ?
       WHERE username = ? RETURNING *`,
    )
    .bind(update.passwordHash ?? null, update.claims ? JSON.stringify(update.claims) : null, update.now, update.username)
    .first<UserRow>();
  return row ? userFromRow(row) : null;
}

export async function deleteUser(db: D1Database, username: string): Promise<boolean> {
  const { meta } = await db.prepare('DELETE FROM users WHERE username = ?').bind(username).run();
  return meta.changes === 1;
}

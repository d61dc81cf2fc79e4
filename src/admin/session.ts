/**
 * The console's sign-in session: the admin token is exchanged once for it. It lives in a signed cookie
 * (`__Host-`, HttpOnly, Secure, SameSite=Strict), so the server keeps no session state: each answer renews the
 * idle timer, the absolute limit never moves, and changing ADMIN_TOKEN (which keys the signature) ends every session.
 */
export interface AdminSession {
  /** Random; the CSRF token of its forms is derived from it. */
  id: string;
  /** Seconds since epoch. */
  startedAt: number;
  seenAt: number;
}

/** Idle and absolute expiry. */
export const ADMIN_IDLE_SECONDS = 30 * 60;
export const ADMIN_ABSOLUTE_SECONDS = 8 * 3600;

export const serializeAdminSession = (s: AdminSession) => ['v1', s.id, s.startedAt, s.seenAt].join('.');

/** The session in a verified cookie value, or null when malformed or expired (idle or absolute). */
export function liveAdminSession(value: string, nowMs: number): AdminSession | null {
  const [version, id, startedAt, seenAt, extra] = value.split('.');
  if (version !== 'v1' || !id || extra !== undefined || !/^\d+$/.test(startedAt ?? '') || !/^\d+$/.test(seenAt ?? '')) return null;
  const session = { id, startedAt: Number(startedAt), seenAt: Number(seenAt) };
  const now = nowMs / 1000;
  if (now >= session.startedAt + ADMIN_ABSOLUTE_SECONDS || now >= session.seenAt + ADMIN_IDLE_SECONDS || session.seenAt > now + 60)
    return null;
  return session;
}

export function startAdminSession(id: string, nowMs: number): AdminSession {
  const now = Math.floor(nowMs / 1000);
  return { id, startedAt: now, seenAt: now };
}

export const touchAdminSession = (s: AdminSession, nowMs: number): AdminSession => ({ ...s, seenAt: Math.floor(nowMs / 1000) });

/** How long the cookie may live from now: the nearer of the idle and the absolute limit. */
export const adminSessionMaxAge = (s: AdminSession) =>
  Math.max(0, Math.min(s.seenAt + ADMIN_IDLE_SECONDS, s.startedAt + ADMIN_ABSOLUTE_SECONDS) - s.seenAt);

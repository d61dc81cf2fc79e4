/**
 * The login session: who signed in, when, and how. It lives in a cookie whose value the route signs with
 * HMAC-SHA256 (SESSION_SECRET), so the server keeps no session state; deleting the user ends it.
 */
export interface Session {
  sub: string;
  /** Seconds since epoch. */
  authTime: number;
  acr: string;
  /** Seconds since epoch. */
  expiresAt: number;
}

/** Set with the `__Host-` prefix (Secure, Path=/, no Domain), so a sibling subdomain cannot plant it. */
export const SESSION_COOKIE = 'edge_dcr_session';
export const SESSION_TTL_SECONDS = 8 * 3600;

export const serializeSession = (s: Session) => [s.sub, s.authTime, s.acr, s.expiresAt].join('~');

/** The session in a verified cookie value, or null when it is malformed or has expired. */
export function parseSession(value: string, nowMs: number): Session | null {
  const [sub, authTime, acr, expiresAt, extra] = value.split('~');
  if (!sub || !acr || extra !== undefined || !/^\d+$/.test(authTime ?? '') || !/^\d+$/.test(expiresAt ?? '')) return null;
  const session = { sub, authTime: Number(authTime), acr, expiresAt: Number(expiresAt) };
  return session.expiresAt * 1000 > nowMs ? session : null;
}

export function newSession(sub: string, acr: string, nowMs: number): Session {
  const authTime = Math.floor(nowMs / 1000);
  return { sub, authTime, acr, expiresAt: authTime + SESSION_TTL_SECONDS };
}

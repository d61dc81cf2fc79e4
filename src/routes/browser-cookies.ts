import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import type { AppEnv } from './types';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, parseSession, serializeSession, type Session } from '../session/session';
import { randomToken, secretsEqual } from '../tokens/secrets';

/**
 * The cookies of the pages users see (sign-in, consent, sign-out): the signed login session, and the CSRF value the
 * forms repeat (signed double submit). Both are signed with SESSION_SECRET.
 */

/** Login CSRF protection: a signed random value in a cookie that the form must repeat (signed double submit). */
const CSRF_COOKIE = 'edge_dcr_csrf';
/** `__Host-` (Secure, Path=/, no Domain): a sibling subdomain can neither read nor plant these cookies. */
const COOKIE_OPTIONS: CookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'Lax', prefix: 'host' };

type Ctx = Context<AppEnv>;

/** Present and long enough: checked with the rest of the configuration (src/configuration.ts). */
export const sessionSecret = (c: Ctx): string => c.env.SESSION_SECRET;

export async function readSession(c: Ctx): Promise<Session | null> {
  const value = await getSignedCookie(c, sessionSecret(c), SESSION_COOKIE, 'host');
  return value ? parseSession(value, c.get('deps').now) : null;
}

export const setSession = (c: Ctx, session: Session) =>
  setSignedCookie(c, SESSION_COOKIE, serializeSession(session), sessionSecret(c), { ...COOKIE_OPTIONS, maxAge: SESSION_TTL_SECONDS });

/** Signs the browser out: the session cookie is replaced by an expired, empty one. */
export const clearSession = (c: Ctx) => deleteCookie(c, SESSION_COOKIE, COOKIE_OPTIONS);

/** The browser's CSRF value, created and set as a cookie when it has none. */
export async function csrfValue(c: Ctx): Promise<string> {
  const existing = await getSignedCookie(c, sessionSecret(c), CSRF_COOKIE, 'host');
  if (existing) return existing;
  const value = randomToken(32);
  await setSignedCookie(c, CSRF_COOKIE, value, sessionSecret(c), COOKIE_OPTIONS);
  return value;
}

export async function csrfMatches(c: Ctx, submitted: string | undefined): Promise<boolean> {
  const expected = await getSignedCookie(c, sessionSecret(c), CSRF_COOKIE, 'host');
  return typeof expected === 'string' && submitted !== undefined && (await secretsEqual(submitted, expected));
}

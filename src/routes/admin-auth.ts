import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { AppEnv } from './types';
import { OAuthError, invalidToken, serverError } from '../errors';
import { bearerToken, bodyText, mediaType } from '../http';
import { base64url, hmacSha256, randomToken, secretsEqual, sha256Hex } from '../tokens/secrets';
import { verifyAccessAssertion } from '../admin/access';
import {
  type AdminSession,
  adminSessionMaxAge,
  liveAdminSession,
  serializeAdminSession,
  startAdminSession,
  touchAdminSession,
} from '../admin/session';
import { CONSOLE_BASE, CSRF_FIELD, type ConsoleViewer } from '../views/console/layout';

/**
 * Who may use /admin: Cloudflare Access's signed-in person (when configured), else the admin token, as a bearer
 * token for the API or exchanged once for a console session cookie. Console forms carry a CSRF token derived from
 * the session (or the Access identity) with a key only the server has.
 */

type Ctx = Context<AppEnv>;

const SESSION_COOKIE = 'edge_dcr_admin';
const SIGN_IN_CSRF_COOKIE = 'edge_dcr_admin_csrf';
/** `__Host-`: Secure, Path=/, no Domain, so a sibling subdomain cannot plant or read it. */
const COOKIE = { path: '/', httpOnly: true, secure: true, sameSite: 'Strict', prefix: 'host' } as const;

export const SIGN_IN_PATH = `${CONSOLE_BASE}/sign-in`;

/** Signs sessions and CSRF tokens: the session secret and the admin token together, so a new admin token ends every session. */
async function adminKey(c: Ctx): Promise<string> {
  if (!c.env.SESSION_SECRET) throw serverError('SESSION_SECRET is not configured');
  return `${c.env.SESSION_SECRET}:${await sha256Hex(c.env.ADMIN_TOKEN ?? '')}`;
}

async function accessIdentity(c: Ctx) {
  const { settings, accessKeys, now } = c.get('deps');
  if (!settings.access || !accessKeys) return null;
  return verifyAccessAssertion(c.req.header('Cf-Access-Jwt-Assertion'), settings.access, accessKeys, now);
}

/** The admin API: an Access assertion, or `Authorization: Bearer <ADMIN_TOKEN>` (with no ADMIN_TOKEN set, only Access). */
export const requireAdminApi: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await accessIdentity(c))) {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected || !(await secretsEqual(bearerToken(c), expected))) throw invalidToken('admin token required');
  }
  await next();
};

async function readSession(c: Ctx): Promise<AdminSession | null> {
  const value = await getSignedCookie(c, await adminKey(c), SESSION_COOKIE, 'host');
  return value ? liveAdminSession(value, c.get('deps').now) : null;
}

async function writeSession(c: Ctx, session: AdminSession) {
  await setSignedCookie(c, SESSION_COOKIE, serializeAdminSession(session), await adminKey(c), {
    ...COOKIE,
    maxAge: adminSessionMaxAge(session),
  });
}

async function csrfToken(c: Ctx, identity: string): Promise<string> {
  return base64url(await hmacSha256(await adminKey(c), `console-csrf:${identity}`));
}

/** The posted form; a console form is always urlencoded. */
async function formOf(c: Ctx): Promise<URLSearchParams> {
  if (mediaType(c) !== 'application/x-www-form-urlencoded')
    throw new OAuthError('invalid_request', 'console forms are application/x-www-form-urlencoded', 415);
  return new URLSearchParams(await bodyText(c));
}

/**
 * The console: signed in (Access, or a live session, renewed here) or sent to the sign-in page; a POST must carry
 * the CSRF token of its viewer, or it is refused before anything reads it.
 */
export const requireConsoleAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const access = await accessIdentity(c);
  let viewer: ConsoleViewer;
  if (access) {
    viewer = {
      who: `Cloudflare Access: ${access.email ?? access.subject}`,
      csrf: await csrfToken(c, `access:${access.subject}`),
      canSignOut: false,
    };
  } else {
    const session = await readSession(c);
    if (!session) return c.redirect(SIGN_IN_PATH, 303);
    await writeSession(c, touchAdminSession(session, c.get('deps').now));
    viewer = { who: 'Signed in with the admin token', csrf: await csrfToken(c, `session:${session.id}`), canSignOut: true };
  }
  c.set('viewer', viewer);
  if (c.req.method === 'POST') {
    const form = await formOf(c);
    if (!(await secretsEqual(form.get(CSRF_FIELD) ?? '', viewer.csrf))) {
      throw new OAuthError('invalid_request', 'the form is stale or was not sent by this console; reload the page', 403);
    }
    c.set('form', form);
  }
  await next();
};

/** Sign-in form CSRF: a signed random value in a cookie that the form repeats (signed double submit). */
export async function signInCsrf(c: Ctx): Promise<string> {
  const key = await adminKey(c);
  const existing = await getSignedCookie(c, key, SIGN_IN_CSRF_COOKIE, 'host');
  if (existing) return existing;
  const value = randomToken(32);
  await setSignedCookie(c, SIGN_IN_CSRF_COOKIE, value, key, COOKIE);
  return value;
}

export type SignIn = { signedIn: true } | { signedIn: false; status: 401 | 403; message: string };

/** The sign-in form posted: with the right admin token (and CSRF token), a new session. */
export async function signIn(c: Ctx): Promise<SignIn> {
  const form = await formOf(c);
  const expectedCsrf = await getSignedCookie(c, await adminKey(c), SIGN_IN_CSRF_COOKIE, 'host');
  if (!expectedCsrf || !(await secretsEqual(form.get(CSRF_FIELD) ?? '', expectedCsrf))) {
    return { signedIn: false, status: 403, message: 'The form had expired. Please sign in again.' };
  }
  const expected = c.env.ADMIN_TOKEN;
  if (!expected || !(await secretsEqual(form.get('admin_token') ?? '', expected))) {
    return { signedIn: false, status: 401, message: 'That is not the admin token.' };
  }
  await writeSession(c, startAdminSession(randomToken(16), c.get('deps').now));
  deleteCookie(c, SIGN_IN_CSRF_COOKIE, COOKIE);
  return { signedIn: true };
}

export async function isSignedIn(c: Ctx): Promise<boolean> {
  return (await accessIdentity(c)) !== null || (await readSession(c)) !== null;
}

export const accessConfigured = (c: Ctx) => c.get('deps').settings.access !== null;

export function signOut(c: Ctx) {
  // Not the renewal the console's check just set: the only cookie of the answer is the one that clears it.
  c.header('Set-Cookie', undefined);
  deleteCookie(c, SESSION_COOKIE, COOKIE);
}

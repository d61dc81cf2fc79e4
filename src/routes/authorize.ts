import { Hono, type Context } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import type { AppEnv } from './types';
import { bodyText, mediaType, methodNotAllowed } from '../http';
import { AUTHORIZATION_PARAMS, authorizationParams, requestedClientId, type AuthorizationParams } from '../oauth/authorization-request';
import { authorize, type AuthorizeInput } from '../oauth/authorize';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, parseSession, serializeSession, type Session } from '../session/session';
import { LOGIN_FIELDS } from '../views/login';
import { PAGE_HEADERS } from '../views/page';
import { renderErrorPage, renderLoginPage } from '../views/render';
import { randomToken, secretsEqual } from '../tokens/secrets';

export const AUTHORIZE_PATH = '/oauth/v2/oauth-authorize';

/** Login CSRF protection: a signed random value in a cookie that the form must repeat (signed double submit). */
const CSRF_COOKIE = 'edge_dcr_csrf';
/** `__Host-` (Secure, Path=/, no Domain): a sibling subdomain can neither read nor plant these cookies. */
const COOKIE_OPTIONS: CookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'Lax', prefix: 'host' };

type Ctx = Context<AppEnv>;

/** Present and long enough: checked with the rest of the configuration (src/configuration.ts). */
const sessionSecret = (c: Ctx): string => c.env.SESSION_SECRET;

async function readSession(c: Ctx): Promise<Session | null> {
  const value = await getSignedCookie(c, sessionSecret(c), SESSION_COOKIE, 'host');
  return value ? parseSession(value, c.get('deps').now) : null;
}

/** The browser's CSRF value, created and set as a cookie when it has none. */
async function csrfValue(c: Ctx): Promise<string> {
  const existing = await getSignedCookie(c, sessionSecret(c), CSRF_COOKIE, 'host');
  if (existing) return existing;
  const value = randomToken(32);
  await setSignedCookie(c, CSRF_COOKIE, value, sessionSecret(c), COOKIE_OPTIONS);
  return value;
}

async function csrfMatches(c: Ctx, submitted: string | undefined): Promise<boolean> {
  const expected = await getSignedCookie(c, sessionSecret(c), CSRF_COOKIE, 'host');
  return typeof expected === 'string' && submitted !== undefined && (await secretsEqual(submitted, expected));
}

/** RFC 6749 4.1.1 and OpenID Connect Core 3.1.2.1: the same request by GET (query) or POST (form). */
async function handle(c: Ctx, params: AuthorizationParams, login?: AuthorizeInput['login']): Promise<Response> {
  c.set('clientId', requestedClientId(params) ?? undefined);
  const outcome = await authorize(c.get('deps'), { params, session: await readSession(c), ...(login ? { login } : {}) });
  switch (outcome.kind) {
    case 'error-page':
      return c.html(renderErrorPage(outcome.description), 400, PAGE_HEADERS);
    case 'redirect':
      if (outcome.session) {
        await setSignedCookie(c, SESSION_COOKIE, serializeSession(outcome.session), sessionSecret(c), {
          ...COOKIE_OPTIONS,
          maxAge: SESSION_TTL_SECONDS,
        });
      }
      return c.redirect(outcome.location, 302);
    case 'login': {
      const hidden = AUTHORIZATION_PARAMS.flatMap((name) => {
        const value = params.values.get(name);
        return value === undefined ? [] : [[name, value] as const];
      });
      const page = renderLoginPage({
        action: AUTHORIZE_PATH,
        clientName: outcome.request.client.clientName,
        hidden,
        csrfToken: await csrfValue(c),
        ...(outcome.request.loginHint === undefined ? {} : { loginHint: outcome.request.loginHint }),
        ...(outcome.message === undefined ? {} : { message: outcome.message }),
      });
      const headers: Record<string, string> = { ...PAGE_HEADERS };
      if (outcome.retryAfter !== undefined) headers['Retry-After'] = String(outcome.retryAfter);
      return c.html(page, outcome.status, headers);
    }
  }
}

export const authorizeRoutes = new Hono<AppEnv>()
  .use(AUTHORIZE_PATH, async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  })
  .get(AUTHORIZE_PATH, (c) => handle(c, authorizationParams(new URL(c.req.url).search)))
  .post(AUTHORIZE_PATH, async (c) => {
    if (mediaType(c) !== 'application/x-www-form-urlencoded') {
      return c.html(renderErrorPage('the request body must be application/x-www-form-urlencoded'), 400, PAGE_HEADERS);
    }
    const body = new URLSearchParams(await bodyText(c));
    // A submitted login form carries the credentials and the CSRF token besides the authorization request.
    if (!body.has(LOGIN_FIELDS.csrf)) return handle(c, authorizationParams(body.toString()));
    const login = {
      username: body.get(LOGIN_FIELDS.username) ?? '',
      password: body.get(LOGIN_FIELDS.password) ?? '',
      csrfValid: await csrfMatches(c, body.get(LOGIN_FIELDS.csrf) ?? undefined),
    };
    for (const field of Object.values(LOGIN_FIELDS)) body.delete(field);
    return handle(c, authorizationParams(body.toString()), login);
  })
  .all(AUTHORIZE_PATH, methodNotAllowed('GET', 'POST'));

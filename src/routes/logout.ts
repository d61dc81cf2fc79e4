import { Hono, type Context } from 'hono';
import type { AppEnv } from './types';
import { bodyText, mediaType, methodNotAllowed } from '../http';
import { UnverifiedRedirectError, authorizationParams } from '../oauth/authorization-request';
import { logoutRequest, type LogoutRequest } from '../oauth/logout';
import { LOGIN_FIELDS } from '../views/login';
import { PAGE_HEADERS } from '../views/page';
import { renderErrorPage, renderLogoutPage, renderSignedOutPage } from '../views/render';
import { clearSession, csrfMatches, csrfValue, readSession } from './browser-cookies';
import { requesterOf } from './requester';

/** OpenID Connect RP-Initiated Logout 1.0: the end-session endpoint (`end_session_endpoint` in discovery). */
export const LOGOUT_PATH = '/oauth/v2/oauth-session/logout';

type Ctx = Context<AppEnv>;

function confirmationPage(c: Ctx, request: LogoutRequest, csrfToken: string, status: 200 | 403, message?: string) {
  const page = renderLogoutPage({
    action: LOGOUT_PATH,
    ...(request.client ? { requester: requesterOf(request.client) } : {}),
    hidden: request.fields,
    csrfToken,
    ...(message === undefined ? {} : { message }),
  });
  return c.html(page, status, PAGE_HEADERS);
}

/**
 * The request is verified first (an error page if it cannot be). A browser with a session confirms on a page whose
 * form is CSRF-protected; the confirmed form (or a browser with no session, which has nothing to sign out) clears the
 * session cookie and goes to the registered post_logout_redirect_uri with `state`, or to the signed-out page.
 */
async function handle(c: Ctx, params: URLSearchParams, confirmation?: { csrfToken: string | undefined }): Promise<Response> {
  const deps = c.get('deps');
  let request: LogoutRequest;
  try {
    request = await logoutRequest(deps, authorizationParams(params.toString()));
  } catch (error) {
    if (!(error instanceof UnverifiedRedirectError)) throw error;
    const { client } = error;
    const page = renderErrorPage({
      error: error.code,
      description: error.description,
      activity: 'sign-out',
      ...(client ? { requester: requesterOf(client) } : {}),
    });
    return c.html(page, 400, PAGE_HEADERS);
  }
  c.set('clientId', request.client?.clientId);
  const session = await readSession(c);
  if (confirmation && !(await csrfMatches(c, confirmation.csrfToken))) {
    return confirmationPage(c, request, await csrfValue(c), 403, 'This page has expired. Please confirm again.');
  }
  if (session && !confirmation) return confirmationPage(c, request, await csrfValue(c), 200);
  clearSession(c);
  if (session) deps.audit.record('logout.succeeded', { clientId: request.client?.clientId ?? null, subject: session.sub });
  if (request.redirectTo) return c.redirect(request.redirectTo, 303);
  return c.html(renderSignedOutPage(), 200, PAGE_HEADERS);
}

export const logoutRoutes = new Hono<AppEnv>()
  .use(LOGOUT_PATH, async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  })
  .get(LOGOUT_PATH, (c) => handle(c, new URL(c.req.url).searchParams))
  .post(LOGOUT_PATH, async (c) => {
    if (mediaType(c) !== 'application/x-www-form-urlencoded') {
      const page = renderErrorPage({
        error: 'invalid_request',
        description: 'the request body must be application/x-www-form-urlencoded',
        activity: 'sign-out',
      });
      return c.html(page, 400, PAGE_HEADERS);
    }
    const body = new URLSearchParams(await bodyText(c));
    // The confirmation form carries the CSRF token besides the logout request; a client may also POST the request.
    if (!body.has(LOGIN_FIELDS.csrf)) return handle(c, body);
    const csrfToken = body.get(LOGIN_FIELDS.csrf) ?? undefined;
    body.delete(LOGIN_FIELDS.csrf);
    return handle(c, body, { csrfToken });
  })
  .all(LOGOUT_PATH, methodNotAllowed('GET', 'POST'));

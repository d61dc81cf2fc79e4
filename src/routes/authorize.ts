import { Hono, type Context } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import type { AppEnv } from './types';
import { bodyText, mediaType, methodNotAllowed } from '../http';
import { AUTHORIZATION_PARAMS, authorizationParams, requestedClientId, type AuthorizationParams } from '../oauth/authorization-request';
import { authorize, type AuthorizeInput } from '../oauth/authorize';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, parseSession, serializeSession, type Session } from '../session/session';
import type { Client } from '../oauth/client';
import { LOGIN_FIELDS } from '../views/login';
import { CONSENT_FIELD } from '../views/consent';
import { PAGE_HEADERS } from '../views/page';
import type { Requester } from '../views/requester';
import { renderConsentPage, renderErrorPage, renderLoginPage } from '../views/render';
import { randomToken, secretsEqual } from '../tokens/secrets';
import { claimsToApprove } from '../oauth/consent-items';

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

/** What the pages show of a client. */
function requesterOf(client: Client): Requester {
  const { logo_uri, policy_uri, tos_uri } = client.presentation;
  return {
    applicationName: client.applicationName,
    ...(client.clientName === client.applicationName ? {} : { ownName: client.clientName }),
    unverified: client.unverified,
    ...(logo_uri === undefined ? {} : { logoUri: logo_uri }),
    ...(policy_uri === undefined ? {} : { policyUri: policy_uri }),
    ...(tos_uri === undefined ? {} : { tosUri: tos_uri }),
  };
}

/** Where an error page may send the user back to: the origin of one of the client's registered https redirect URIs. */
function backTo(client: Client): string | undefined {
  const registered = client.redirectUris.find((uri) => uri.startsWith('https://'));
  return registered === undefined ? undefined : new URL(registered).origin;
}

/** The authorization request's parameters (a request object's, once verified), for a form to post back unchanged. */
const hiddenParams = (params: AuthorizationParams) =>
  AUTHORIZATION_PARAMS.flatMap((name) => {
    const value = params.values.get(name);
    return value === undefined ? [] : [[name, value] as const];
  });

const setSession = (c: Ctx, session: Session) =>
  setSignedCookie(c, SESSION_COOKIE, serializeSession(session), sessionSecret(c), { ...COOKIE_OPTIONS, maxAge: SESSION_TTL_SECONDS });

/** RFC 6749 4.1.1 and OpenID Connect Core 3.1.2.1: the same request by GET (query) or POST (form). */
async function handle(c: Ctx, params: AuthorizationParams, submitted: Pick<AuthorizeInput, 'login' | 'consent'> = {}): Promise<Response> {
  c.set('clientId', requestedClientId(params) ?? undefined);
  const outcome = await authorize(c.get('deps'), { params, session: await readSession(c), ...submitted });
  switch (outcome.kind) {
    case 'error-page': {
      const { client } = outcome;
      const page = renderErrorPage({
        error: outcome.error,
        description: outcome.description,
        ...(client ? { requester: requesterOf(client) } : {}),
        ...(client && backTo(client) ? { backTo: backTo(client)! } : {}),
      });
      return c.html(page, 400, PAGE_HEADERS);
    }
    case 'redirect':
      if (outcome.session) await setSession(c, outcome.session);
      return c.redirect(outcome.location, 302);
    case 'login': {
      const { request } = outcome;
      const username = outcome.username ?? request.loginHint;
      const page = renderLoginPage({
        action: AUTHORIZE_PATH,
        requester: requesterOf(request.client),
        hidden: hiddenParams(request.params),
        csrfToken: await csrfValue(c),
        ...(username === undefined ? {} : { username }),
        ...(outcome.message === undefined ? {} : { message: outcome.message }),
      });
      const headers: Record<string, string> = { ...PAGE_HEADERS };
      if (outcome.retryAfter !== undefined) headers['Retry-After'] = String(outcome.retryAfter);
      return c.html(page, outcome.status, headers);
    }
    case 'consent': {
      if (outcome.session) await setSession(c, outcome.session);
      const { request } = outcome;
      const page = renderConsentPage({
        action: AUTHORIZE_PATH,
        requester: requesterOf(request.client),
        scopes: request.scope,
        claims: claimsToApprove(request),
        ...(request.resource === undefined ? {} : { resource: request.resource }),
        hidden: hiddenParams(request.params),
        csrfToken: await csrfValue(c),
        ...(outcome.message === undefined ? {} : { message: outcome.message }),
      });
      return c.html(page, outcome.status, PAGE_HEADERS);
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
      const page = renderErrorPage({ error: 'invalid_request', description: 'the request body must be application/x-www-form-urlencoded' });
      return c.html(page, 400, PAGE_HEADERS);
    }
    const body = new URLSearchParams(await bodyText(c));
    // A submitted login or consent form carries the CSRF token (and the credentials or the decision) besides the
    // authorization request.
    if (!body.has(LOGIN_FIELDS.csrf)) return handle(c, authorizationParams(body.toString()));
    const csrfValid = await csrfMatches(c, body.get(LOGIN_FIELDS.csrf) ?? undefined);
    const submitted: Pick<AuthorizeInput, 'login' | 'consent'> = body.has(CONSENT_FIELD)
      ? { consent: { approved: body.get(CONSENT_FIELD) === 'approve', csrfValid } }
      : { login: { username: body.get(LOGIN_FIELDS.username) ?? '', password: body.get(LOGIN_FIELDS.password) ?? '', csrfValid } };
    for (const field of [...Object.values(LOGIN_FIELDS), CONSENT_FIELD]) body.delete(field);
    return handle(c, authorizationParams(body.toString()), submitted);
  })
  .all(AUTHORIZE_PATH, methodNotAllowed('GET', 'POST'));

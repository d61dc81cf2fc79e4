import { Hono, type Context } from 'hono';
import type { AppEnv } from './types';
import { bodyText, mediaType, methodNotAllowed } from '../http';
import {
  AUTHORIZATION_PARAMS,
  authorizationParams,
  requestedClientId,
  type AuthorizationParams,
  type AuthorizationRequest,
} from '../oauth/authorization-request';
import { authorize, type AuthorizeInput } from '../oauth/authorize';
import { LOGIN_FIELDS } from '../views/login';
import { CONSENT_FIELD } from '../views/consent';
import { PAGE_HEADERS } from '../views/page';
import { renderConsentPage, renderErrorPage, renderLoginPage } from '../views/render';
import { claimsToApprove } from '../oauth/consent-items';
import { csrfMatches, csrfValue, readSession, sessionSecret, setSession } from './browser-cookies';
import { backTo, requesterOf } from './requester';
import { PUSHED_PROOF_FIELD, provesPushed, pushedProof } from '../oauth/pushed-proof';

export const AUTHORIZE_PATH = '/oauth/v2/oauth-authorize';

type Ctx = Context<AppEnv>;

/** The authorization request's parameters (a request object's or a pushed request's, once verified), for a form to post back unchanged. */
const hiddenParams = (params: AuthorizationParams) =>
  AUTHORIZATION_PARAMS.flatMap((name) => {
    const value = params.values.get(name);
    return value === undefined ? [] : [[name, value] as const];
  });

/** The hidden fields of a form: the request's parameters, and for a pushed request the proof that they were pushed. */
async function hiddenFields(c: Ctx, request: AuthorizationRequest): Promise<ReadonlyArray<readonly [string, string]>> {
  const fields = hiddenParams(request.params);
  if (!request.params.pushed) return fields;
  return [...fields, [PUSHED_PROOF_FIELD, await pushedProof(sessionSecret(c), fields, c.get('deps').now)]];
}

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
        hidden: await hiddenFields(c, request),
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
        hidden: await hiddenFields(c, request),
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
    const proof = body.get(PUSHED_PROOF_FIELD) ?? undefined;
    for (const field of [...Object.values(LOGIN_FIELDS), CONSENT_FIELD, PUSHED_PROOF_FIELD]) body.delete(field);
    const params = authorizationParams(body.toString());
    const pushed = await provesPushed(sessionSecret(c), proof, hiddenParams(params), c.get('deps').now);
    return handle(c, pushed ? { ...params, pushed } : params, submitted);
  })
  .all(AUTHORIZE_PATH, methodNotAllowed('GET', 'POST'));

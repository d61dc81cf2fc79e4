import { OAuthError } from '../errors';
import {
  UnverifiedRedirectError,
  parseAuthorizationRequest,
  requestedClientId,
  requireClient,
  type AuthorizationParams,
  type AuthorizationRequest,
  type VerifiedRedirect,
} from './authorization-request';
import { activeClient, type Client } from './client';
import { issueAuthorizationCode } from './authorization-codes';
import type { OneTimeLedger } from '../ledger/client';
import type { Lookup } from '../store/store';
import type { Consent, StoredUser } from '../model';
import { newSession, type Session } from '../session/session';
import { PASSWORD_ACR } from '../users/authenticate';
import { MAX_USERNAME_LENGTH, signIn, type SignInDeps, type SignInRecord } from '../users/sign-in';
import { clientLookup } from '../dcr/metadata-document-url';
import { OutboundDocumentError, type OutboundDocuments } from '../outbound/documents';
import { approvalsOf } from './consent-items';
import { claimsNamed } from '../users/claims';
import type { Subjects } from './subjects';
import type { Settings } from '../env';
import { verifiedAuthorization } from './verified-authorization';
import { pushedParams, pushedRequestUri, requirePushWhereDemanded, takePushedRequest } from './pushed-requests';

export interface AuthorizeDeps extends SignInDeps {
  ledger: OneTimeLedger;
  documents: OutboundDocuments;
  issuer: string;
  subjects: Subjects;
  settings: Pick<Settings, 'loginLockout' | 'requirePushedAuthorizationRequests'>;
}

export interface AuthorizeInput {
  params: AuthorizationParams;
  /** The verified session cookie, if any. */
  session: Session | null;
  /** A submitted login form; `csrfValid` says whether its CSRF token matched the browser's cookie. */
  login?: { username: string; password: string; csrfValid: boolean };
  /** A submitted consent form: the user's decision, and whether its CSRF token matched. */
  consent?: { approved: boolean; csrfValid: boolean };
}

export type AuthorizeOutcome =
  | { kind: 'error-page'; error: string; description: string; client: Client | null }
  | { kind: 'redirect'; location: string; session?: Session }
  /** `retryAfter` (seconds) with 429: a sign-in refused by a limit or a lockout. */
  | { kind: 'login'; request: AuthorizationRequest; message?: string; username?: string; status: 200 | 403 | 429; retryAfter?: number }
  | { kind: 'consent'; request: AuthorizationRequest; message?: string; session?: Session; status: 200 | 403 };

/**
 * The authorization endpoint's decision (RFC 6749 4.1.1, OpenID Connect Core 3.1.2). The client, the user the
 * session or the login form names, and that user's consent to the client are read in one round trip. The client and
 * its redirect URI are verified first (a metadata-document client's document is read then, and a signed request
 * object's parameters replace the query's) and any problem there is an error page; after that, errors go back to the
 * client's redirect URI with `state` and `iss` (RFC 9207). A pushed request's `request_uri` (RFC 9126 4) is taken in
 * the same round trip as the client is read, and its parameters replace the request's.
 */
export async function authorize(deps: AuthorizeDeps, input: AuthorizeInput): Promise<AuthorizeOutcome> {
  const clientId = requestedClientId(input.params);
  const username = input.login && input.login.username.length <= MAX_USERNAME_LENGTH ? input.login.username : undefined;
  const user = username !== undefined ? { username } : input.session ? { userSubject: input.session.sub } : {};
  const requestUri = pushedRequestUri(input.params);
  const [lookup, pushed] = await Promise.all([
    clientId === null
      ? ({ client: null, user: null, consent: null, loginFailures: null } satisfies Lookup)
      : deps.store.lookUp({ ...clientLookup(clientId), ...user, consent: 'username' in user || 'userSubject' in user }),
    requestUri === null || clientId === null ? null : takePushedRequest(deps.ledger, requestUri, clientId, deps.now),
  ]);
  let target: VerifiedRedirect;
  let params: AuthorizationParams;
  try {
    const client = requireClient(activeClient(lookup.client), input.params);
    ({ target, params } = await verifiedAuthorization(deps, client, pushed ? pushedParams(pushed, client) : input.params));
  } catch (error) {
    if (error instanceof UnverifiedRedirectError) {
      return { kind: 'error-page', error: error.code, description: error.description, client: error.client };
    }
    if (error instanceof OutboundDocumentError)
      return { kind: 'error-page', error: 'invalid_client', description: error.description, client: null };
    throw error;
  }
  // A pairwise client without PAIRWISE_SECRET: the operator's problem, answered and logged as one, before any code.
  deps.subjects.requireUsable(target.client);
  try {
    requirePushWhereDemanded(target.client, params, deps.settings.requirePushedAuthorizationRequests);
    const request = parseAuthorizationRequest(target, params);
    if (input.login) {
      const record = username === undefined ? { user: null, failures: null } : { user: lookup.user, failures: lookup.loginFailures };
      return await logIn(deps, request, { ...input.login, consent: lookup.consent }, record);
    }
    const session = usableSession(deps, request, input.session, lookup.user);
    if (session) return await decide(deps, request, { session, fresh: false, user: lookup.user! }, lookup.consent, input.consent);
    if (request.prompt.has('none')) throw new OAuthError('login_required', 'the user must log in');
    return { kind: 'login', request, status: 200 };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return { kind: 'redirect', location: responseLocation(deps, target, { error: error.code, error_description: error.description }) };
  }
}

async function logIn(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  login: NonNullable<AuthorizeInput['login']> & { consent: Consent | null },
  record: SignInRecord,
): Promise<AuthorizeOutcome> {
  if (!login.csrfValid) {
    return {
      kind: 'login',
      request,
      status: 403,
      message: 'This sign-in form has expired. Please sign in again.',
      username: login.username,
    };
  }
  const result = await signIn(deps, { clientId: request.client.clientId, username: login.username, password: login.password }, record);
  if (result.outcome !== 'signed-in') {
    const username = login.username;
    if (result.retryAfter > 0)
      return { kind: 'login', request, status: 429, retryAfter: result.retryAfter, message: tooMany(result.retryAfter), username };
    // One message for an unknown user and a wrong password: the form does not reveal who has an account.
    return { kind: 'login', request, status: 200, message: 'The username or password is not correct.', username };
  }
  const { user } = result;
  if (!request.acceptableAcrs.includes(PASSWORD_ACR)) {
    throw new OAuthError('access_denied', 'no authenticator this client accepts is available');
  }
  return decide(deps, request, { session: newSession(user.subject, PASSWORD_ACR, deps.now), fresh: true, user }, login.consent, undefined);
}

/** The same words for a limited address and a locked username (which may not exist): they reveal nobody. */
const tooMany = (seconds: number) =>
  `Too many failed sign-ins. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`;

/**
 * The user is known: a code for the client, unless the client is unverified and the user has not approved what it
 * asks for; then the consent page, and the user's decision when it is posted. An approval is remembered (with what
 * was approved before) in the same round trip as the code is issued.
 */
async function decide(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  { session, fresh, user }: { session: Session; fresh: boolean; user: StoredUser },
  consent: Consent | null,
  decision: AuthorizeInput['consent'],
): Promise<AuthorizeOutcome> {
  const newCookie = fresh ? { session } : {};
  if (!needsConsent(request, consent))
    return { kind: 'redirect', location: await codeRedirect(deps, request, session, user), ...newCookie };
  if (request.prompt.has('none')) throw new OAuthError('consent_required', 'the user must approve this client first');
  if (decision === undefined) return { kind: 'consent', request, status: 200, ...newCookie };
  if (!decision.csrfValid) return { kind: 'consent', request, status: 403, message: 'This page has expired. Please decide again.' };
  if (!decision.approved) throw new OAuthError('access_denied', 'the user did not approve the request');
  const scopes = [...new Set([...(consent?.scopes ?? []), ...approvalsOf(request)])];
  const [location] = await Promise.all([
    codeRedirect(deps, request, session, user),
    deps.store.consents.grant({ subject: session.sub, clientId: request.client.clientId, scopes, now: deps.now }),
  ]);
  return { kind: 'redirect', location };
}

const needsConsent = (request: AuthorizationRequest, consent: Consent | null) =>
  request.client.unverified && (request.prompt.has('consent') || !approvalsOf(request).every((item) => consent?.scopes.includes(item)));

/** The session, when it exists, its user still does, and it meets `prompt=login`, `max_age` and `acr_values`. */
function usableSession(
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  session: Session | null,
  user: StoredUser | null,
): Session | null {
  // OpenID Connect Core 3.1.2.1: max_age=0 is prompt=login.
  if (!session || request.prompt.has('login') || request.maxAgeSeconds === 0 || !request.acceptableAcrs.includes(session.acr)) return null;
  if (request.maxAgeSeconds !== undefined && Math.floor(deps.now / 1000) - session.authTime > request.maxAgeSeconds) return null;
  return user?.subject === session.sub ? session : null;
}

async function codeRedirect(deps: AuthorizeDeps, request: AuthorizationRequest, session: Session, user: StoredUser): Promise<string> {
  const code = await issueAuthorizationCode(
    deps.ledger,
    {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      scope: request.scope.join(' '),
      ...(request.resource === undefined ? {} : { resource: request.resource }),
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
      ...(request.dpopJkt === undefined ? {} : { dpopJkt: request.dpopJkt }),
      sub: session.sub,
      authTime: session.authTime,
      acr: session.acr,
      ...(request.claims === undefined ? {} : { claims: request.claims }),
      ...(request.claims?.id_token === undefined ? {} : { idTokenClaims: claimsNamed(user.claims, request.claims.id_token) }),
    },
    deps.now,
  );
  return responseLocation(deps, request, { code });
}

/** The redirect URI with the response parameters, `state` and `iss` added to its query. */
function responseLocation(deps: AuthorizeDeps, target: VerifiedRedirect, response: Record<string, string>): string {
  const url = new URL(target.redirectUri);
  const params = { ...response, ...(target.state === undefined ? {} : { state: target.state }), iss: deps.issuer };
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url.href;
}

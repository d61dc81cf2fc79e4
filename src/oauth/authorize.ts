import { OAuthError } from '../errors';
import {
  UnverifiedRedirectError,
  parseAuthorizationRequest,
  requestedClientId,
  verifyRedirect,
  type AuthorizationParams,
  type AuthorizationRequest,
  type VerifiedRedirect,
} from './authorization-request';
import { issueAuthorizationCode } from './authorization-codes';
import type { OneTimeLedger } from '../ledger/client';
import type { StoredUser } from '../model';
import { newSession, type Session } from '../session/session';
import { PASSWORD_ACR } from '../users/authenticate';
import { MAX_USERNAME_LENGTH, signIn, type SignInDeps, type SignInRecord } from '../users/sign-in';

export interface AuthorizeDeps extends SignInDeps {
  ledger: OneTimeLedger;
  issuer: string;
}

export interface AuthorizeInput {
  params: AuthorizationParams;
  /** The verified session cookie, if any. */
  session: Session | null;
  /** A submitted login form; `csrfValid` says whether its CSRF token matched the browser's cookie. */
  login?: { username: string; password: string; csrfValid: boolean };
}

export type AuthorizeOutcome =
  | { kind: 'error-page'; description: string }
  | { kind: 'redirect'; location: string; session?: Session }
  /** `retryAfter` (seconds) with 429: a sign-in refused by a limit or a lockout. */
  | { kind: 'login'; request: AuthorizationRequest; message?: string; status: 200 | 403 | 429; retryAfter?: number };

/**
 * The authorization endpoint's decision (RFC 6749 4.1.1, OpenID Connect Core 3.1.2). The client, and the user the
 * session or the login form names, are read in one round trip. The client and its redirect URI are verified first
 * and any problem there is an error page; after that, errors go back to the client's redirect URI with `state` and
 * `iss` (RFC 9207).
 */
export async function authorize(deps: AuthorizeDeps, input: AuthorizeInput): Promise<AuthorizeOutcome> {
  const clientId = requestedClientId(input.params);
  const username = input.login && input.login.username.length <= MAX_USERNAME_LENGTH ? input.login.username : undefined;
  const lookup =
    clientId === null
      ? { client: null, user: null, loginFailures: null }
      : await deps.store.lookUp({
          clientId,
          ...(username !== undefined ? { username } : input.session ? { userSubject: input.session.sub } : {}),
        });
  let target: VerifiedRedirect;
  try {
    target = verifyRedirect(lookup.client, input.params);
  } catch (error) {
    if (error instanceof UnverifiedRedirectError) return { kind: 'error-page', description: error.description };
    throw error;
  }
  try {
    const request = parseAuthorizationRequest(target, input.params);
    if (input.login) {
      const record = username === undefined ? { user: null, failures: null } : { user: lookup.user, failures: lookup.loginFailures };
      return await logIn(deps, request, input.login, record);
    }
    const session = usableSession(deps, request, input.session, lookup.user);
    if (session) return { kind: 'redirect', location: await codeRedirect(deps, request, session) };
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
  login: NonNullable<AuthorizeInput['login']>,
  record: SignInRecord,
): Promise<AuthorizeOutcome> {
  if (!login.csrfValid) {
    return { kind: 'login', request, status: 403, message: 'This sign-in form has expired. Please sign in again.' };
  }
  const result = await signIn(deps, { clientId: request.client.clientId, username: login.username, password: login.password }, record);
  if (result.outcome !== 'signed-in') {
    if (result.retryAfter > 0)
      return { kind: 'login', request, status: 429, retryAfter: result.retryAfter, message: tooMany(result.retryAfter) };
    // One message for an unknown user and a wrong password: the form does not reveal who has an account.
    return { kind: 'login', request, status: 200, message: 'The username or password is not correct.' };
  }
  const { user } = result;
  if (!request.acceptableAcrs.includes(PASSWORD_ACR)) {
    throw new OAuthError('access_denied', 'no authenticator this client accepts is available');
  }
  const session = newSession(user.subject, PASSWORD_ACR, deps.now);
  return { kind: 'redirect', location: await codeRedirect(deps, request, session), session };
}

/** The same words for a limited address and a locked username (which may not exist): they reveal nobody. */
const tooMany = (seconds: number) =>
  `Too many failed sign-ins. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`;

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

async function codeRedirect(deps: AuthorizeDeps, request: AuthorizationRequest, session: Session): Promise<string> {
  const code = await issueAuthorizationCode(
    deps.ledger,
    {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      scope: request.scope.join(' '),
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
      sub: session.sub,
      authTime: session.authTime,
      acr: session.acr,
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

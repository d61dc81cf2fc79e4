/**
 * An OAuth error carrying its RFC code and HTTP status. Domain code throws these; the app's error
 * handler turns them into `{"error", "error_description"}` with `Cache-Control: no-store`.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status: number = 400,
    readonly headers: Record<string, string> = {},
    /** What went wrong underneath: logged for the operator (a 5xx), never shown to the client. */
    cause?: unknown,
  ) {
    super(`${code}: ${description}`, cause === undefined ? undefined : { cause });
    this.name = 'OAuthError';
  }
}

export const invalidRequest = (description: string) => new OAuthError('invalid_request', description);

/** HTTP requires a challenge with every 401; Basic is the scheme a client can retry with. */
export const invalidClient = (description: string) =>
  new OAuthError('invalid_client', description, 401, { 'WWW-Authenticate': 'Basic realm="edge-dcr"' });

export const invalidScope = (description: string) => new OAuthError('invalid_scope', description);

/** RFC 6749 5.2: the grant (code or refresh token) is invalid, expired, revoked, or not this client's. */
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description);

export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', description);

/** RFC 8707 2: the resource is not one this client may ask tokens for, or not a valid resource indicator. */
export const invalidTarget = (description: string) => new OAuthError('invalid_target', description);

export const invalidClientMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);

/** RFC 6750 section 3: the challenge names the error so clients can tell a bad token from a missing one. */
export function invalidToken(description: string, tokenPresented = true): OAuthError {
  const challenge = tokenPresented
    ? `Bearer realm="edge-dcr", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`
    : 'Bearer realm="edge-dcr"';
  return new OAuthError('invalid_token', description, 401, { 'WWW-Authenticate': challenge });
}

export function insufficientScope(description: string, scope: string): OAuthError {
  return new OAuthError('insufficient_scope', description, 403, {
    'WWW-Authenticate': `Bearer realm="edge-dcr", error="insufficient_scope", scope="${scope}"`,
  });
}

/** The one-time ledger or storage could not be reached: fail closed. */
export const temporarilyUnavailable = (description: string, cause?: unknown) =>
  new OAuthError('temporarily_unavailable', description, 503, { 'Retry-After': '1' }, cause);

/** Over a rate limit or locked out (RFC 6585): the caller may try again after `retryAfterSeconds`. */
export const tooManyRequests = (description: string, retryAfterSeconds: number) =>
  new OAuthError('too_many_requests', description, 429, { 'Retry-After': String(retryAfterSeconds) });

export const serverError = (description: string, cause?: unknown) => new OAuthError('server_error', description, 500, {}, cause);

import type { Context } from 'hono';
import { OAuthError, invalidRequest, invalidToken } from './errors';

/** Helpers shared by the routes: turning OAuth errors into responses and reading request bodies. */

/** Headers for anything carrying tokens, secrets or errors (RFC 6749 5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function errorResponse(error: OAuthError): Response {
  return Response.json(
    { error: error.code, error_description: error.description },
    { status: error.status, headers: { ...NO_STORE, ...error.headers } },
  );
}

/**
 * The body as UTF-8 text. Read as bytes: workerd warns when .text() meets a form content type.
 */
export async function bodyText(c: Context): Promise<string> {
  return new TextDecoder().decode(await c.req.arrayBuffer());
}

/** Media type of the request without parameters, lower-cased. */
export function mediaType(c: Context): string {
  return (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The JSON object in the body; anything else (not JSON, null, an array) is `invalid_request`. */
export async function jsonObjectBody(c: Context): Promise<Record<string, unknown>> {
  if (mediaType(c) !== 'application/json') throw invalidRequest('the body must be application/json');
  return parsedJsonObject(c);
}

/** The body parsed as a JSON object, whatever its declared media type (the caller checked it). */
export async function parsedJsonObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await bodyText(c));
  } catch {
    throw invalidRequest('the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** RFC 6750 2.1: the token from `Authorization: Bearer`; only the header is accepted. */
export function bearerToken(c: Context): string {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(c.req.header('Authorization') ?? '');
  if (!match) throw invalidToken('a bearer token is required in the Authorization header', false);
  return match[1]!;
}

/** For an endpoint's other methods: 405 with the methods it does take. */
export const methodNotAllowed =
  (...allowed: string[]) =>
  () => {
    throw new OAuthError('invalid_request', `use ${allowed.join(' or ')} at this endpoint`, 405, { Allow: allowed.join(', ') });
  };

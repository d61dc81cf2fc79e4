import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './routes/types';

/**
 * Structured logs, one JSON object a line (Workers Logs indexes their fields; README "Operating"): one `request` line
 * per request, one `error` line per failure the operator must see, `audit` lines for audit events. They carry
 * identifiers only (request, client, user), never a secret, token, code or password.
 */

/** The id that ties a request's lines together: Cloudflare's `cf-ray` when there is one, answered as X-Request-Id. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Longest client id a line repeats: it comes from the request, so its length is the caller's choice. */
const MAX_ID_LENGTH = 128;

export function logLine(kind: 'request' | 'error' | 'audit', fields: Record<string, unknown>): void {
  const line = JSON.stringify({ kind, ...fields });
  if (kind === 'error') console.error(line);
  else console.log(line);
}

/** An error with its cause chain, as far as a log line can carry it. */
function describe(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describe(error.cause) }),
  };
}

export function logError(requestId: string, fields: Record<string, unknown>, error?: unknown): void {
  logLine('error', { request_id: requestId, ...fields, ...(error === undefined ? {} : { cause: describe(error) }) });
}

/** The pattern of the route that answered (`/admin/v1/templates/:name`), null when none did (404). */
export function answeringRoute(c: Context<AppEnv>): string | null {
  const path = routePath(c);
  return path.includes('*') ? null : path;
}

export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const requestId = c.req.header('cf-ray') ?? crypto.randomUUID();
  c.set('requestId', requestId);
  await next();
  c.res.headers.set(REQUEST_ID_HEADER, requestId);
  const clientId = c.get('clientId');
  const error = c.get('errorCode');
  logLine('request', {
    request_id: requestId,
    method: c.req.method,
    route: answeringRoute(c),
    status: c.res.status,
    duration_ms: Date.now() - started,
    client_id: clientId === undefined ? null : clientId.slice(0, MAX_ID_LENGTH),
    ...(error === undefined ? {} : { error }),
  });
};

import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './routes/types';
import { logLine } from './log';

/** The middleware that writes one `request` line per request (src/log.ts). */

/** The id that ties a request's lines together: Cloudflare's `cf-ray` when there is one, answered as X-Request-Id. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Longest client id a line repeats: it comes from the request, so its length is the caller's choice. */
const MAX_ID_LENGTH = 128;

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

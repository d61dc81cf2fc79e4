import { Hono, type Context } from 'hono';
import type { AppEnv } from './types';
import { NO_STORE, bearerToken, methodNotAllowed } from '../http';
import { verifyAccessToken } from '../tokens/access-token';
import { userinfo } from '../oauth/userinfo';

export const USERINFO_PATH = '/oauth/v2/oauth-userinfo';

/** GET and POST alike (OpenID Connect Core 5.3.1); the token only in the Authorization header. */
async function handle(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps');
  const token = await verifyAccessToken(await deps.keys(), bearerToken(c), { issuer: deps.issuer, now: deps.now, audience: deps.issuer });
  c.set('clientId', token.client_id);
  return c.json(await userinfo(deps, token), 200, NO_STORE);
}

export const userinfoRoutes = new Hono<AppEnv>()
  .get(USERINFO_PATH, handle)
  .post(USERINFO_PATH, handle)
  .all(USERINFO_PATH, methodNotAllowed('GET', 'POST'));

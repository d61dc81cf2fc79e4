import { Hono, type Context } from 'hono';
import type { AppEnv } from './types';
import { NO_STORE, bearerToken, methodNotAllowed } from '../http';
import { verifyAccessToken } from '../tokens/access-token';
import { userinfo } from '../oauth/userinfo';
import { signedUserinfo } from '../tokens/userinfo-response';

export const USERINFO_PATH = '/oauth/v2/oauth-userinfo';

/**
 * GET and POST alike (OpenID Connect Core 5.3.1); the token only in the Authorization header. JSON, or a signed JWT
 * (`application/jwt`) for a client whose metadata says `userinfo_signed_response_alg`.
 */
async function handle(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps');
  const keys = await deps.keys();
  const token = await verifyAccessToken(keys, bearerToken(c), { issuer: deps.issuer, now: deps.now, audience: deps.issuer });
  c.set('clientId', token.client_id);
  const { client, claims } = await userinfo(deps, token);
  if (client.userinfoAlg === null) return c.json(claims, 200, NO_STORE);
  const jwt = await signedUserinfo(keys, {
    issuer: deps.issuer,
    clientId: client.clientId,
    alg: client.userinfoAlg,
    claims,
    now: deps.now,
  });
  return c.body(jwt, 200, { ...NO_STORE, 'Content-Type': 'application/jwt' });
}

export const userinfoRoutes = new Hono<AppEnv>()
  .get(USERINFO_PATH, handle)
  .post(USERINFO_PATH, handle)
  .all(USERINFO_PATH, methodNotAllowed('GET', 'POST'));

import { Hono, type Context } from 'hono';
import type { AppEnv } from './types';
import { NO_STORE, methodNotAllowed } from '../http';
import { verifyAccessToken } from '../tokens/access-token';
import { userinfo } from '../oauth/userinfo';
import { signedUserinfo } from '../tokens/userinfo-response';
import { asResourceRefusal, presentedToken, requireSenderConstraint, resourceProof } from '../oauth/dpop-resource';
import { dpopNonceHeader, proofExpectations } from './dpop';

export const USERINFO_PATH = '/oauth/v2/oauth-userinfo';

/**
 * GET and POST alike (OpenID Connect Core 5.3.1); the token only in the Authorization header: Bearer, or DPoP with a
 * proof of the key a bound token names (RFC 9449 7). JSON, or a signed JWT (`application/jwt`) for a client whose
 * metadata says `userinfo_signed_response_alg`.
 */
async function handle(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps');
  const presented = presentedToken(c.req.header('Authorization'));
  try {
    const proof = await resourceProof(presented, c.req.header('DPoP'), proofExpectations(c, USERINFO_PATH));
    const keys = await deps.keys();
    const token = await verifyAccessToken(keys, presented.token, { issuer: deps.issuer, now: deps.now, audience: deps.issuer });
    c.set('clientId', token.client_id);
    requireSenderConstraint(token, proof);
    const { client, claims } = await userinfo(deps, token, proof);
    if (client.userinfoAlg === null) return c.json(claims, 200, NO_STORE);
    const jwt = await signedUserinfo(keys, {
      issuer: deps.issuer,
      clientId: client.clientId,
      alg: client.userinfoAlg,
      claims,
      now: deps.now,
    });
    return c.body(jwt, 200, { ...NO_STORE, 'Content-Type': 'application/jwt' });
  } catch (error) {
    throw asResourceRefusal(presented.scheme, error);
  }
}

export const userinfoRoutes = new Hono<AppEnv>()
  .use(USERINFO_PATH, dpopNonceHeader)
  .get(USERINFO_PATH, handle)
  .post(USERINFO_PATH, handle)
  .all(USERINFO_PATH, methodNotAllowed('GET', 'POST'));

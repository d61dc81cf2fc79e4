import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';
import type { ProofExpectations } from '../oauth/dpop';

/** What a DPoP proof sent to this endpoint must say (RFC 9449 4.3): its method, its URL as the issuer names it. */
export function proofExpectations(c: Context<AppEnv>, path: string): Omit<ProofExpectations, 'accessToken'> {
  const deps = c.get('deps');
  return {
    method: c.req.method,
    url: `${deps.issuer}${path}`,
    now: deps.now,
    nonces: deps.dpopNonces,
    nonceRequired: deps.settings.dpopNonceRequired,
  };
}

/**
 * RFC 9449 8 and 9: every answer to a request that carried a DPoP proof, success or refusal, gives the nonce for the
 * next proof. Clients keep the latest one they saw.
 */
export const dpopNonceHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.header('DPoP') !== undefined) c.res.headers.set('DPoP-Nonce', await c.get('deps').dpopNonces.current());
};

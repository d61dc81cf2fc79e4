import { Hono } from 'hono';
import type { AppEnv } from './types';
import { GRANTS } from '../grants';
import { OAuthError } from '../errors';
import { requireParam } from '../oauth/form';
import { NO_STORE, methodNotAllowed } from '../http';
import { authenticatedClient, formBody } from './client-request';
import { dpopNonceHeader, proofExpectations } from './dpop';
import { authenticatedWithProof, requireProofWhereDemanded, tokenRequestProof } from '../oauth/dpop-token-request';

export const TOKEN_PATH = '/oauth/v2/oauth-token';

export const tokenRoutes = new Hono<AppEnv>()
  .use(TOKEN_PATH, dpopNonceHeader)
  .post(TOKEN_PATH, async (c) => {
    const form = await formBody(c);
    const grantType = requireParam(form, 'grant_type');
    const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`);

    const deps = c.get('deps');
    // RFC 9449 5: a DPoP proof is checked before any storage, then spent while the client is read (one wave for both).
    const proof = await tokenRequestProof(c.req.header('DPoP'), proofExpectations(c, TOKEN_PATH));
    const authenticated = authenticatedClient(c, form, TOKEN_PATH, await grant.userSubject?.(form, deps.subjects));
    const { client, user } = await authenticatedWithProof(deps.ledger, proof, authenticated);
    requireProofWhereDemanded(client, proof);
    return c.json(await grant.issue({ ...deps, keys: await deps.keys() }, client, form, user, proof?.jkt), 200, NO_STORE);
  })
  .all(TOKEN_PATH, methodNotAllowed('POST'));

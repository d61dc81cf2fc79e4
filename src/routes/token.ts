import { Hono } from 'hono';
import type { AppEnv } from './types';
import { GRANTS } from '../grants';
import { OAuthError } from '../errors';
import { requireParam } from '../oauth/form';
import { NO_STORE, methodNotAllowed } from '../http';
import { authenticatedClient, formBody } from './client-request';

export const TOKEN_PATH = '/oauth/v2/oauth-token';

export const tokenRoutes = new Hono<AppEnv>()
  .post(TOKEN_PATH, async (c) => {
    const form = await formBody(c);
    const grantType = requireParam(form, 'grant_type');
    const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`);

    const deps = c.get('deps');
    const { client, user } = await authenticatedClient(c, form, TOKEN_PATH, await grant.userSubject?.(form, deps.subjects));
    return c.json(await grant.issue({ ...deps, keys: await deps.keys() }, client, form, user), 200, NO_STORE);
  })
  .all(TOKEN_PATH, methodNotAllowed('POST'));

import { Hono } from 'hono';
import type { AppEnv } from './types';
import { GRANTS } from '../grants';
import { OAuthError, invalidRequest } from '../oauth/errors';
import { parseForm, requireParam } from '../oauth/form';
import { authenticateClient, presentedCredentials } from '../oauth/client-auth';
import { recordClientUse } from '../storage/clients';
import { NO_STORE, bodyText, mediaType, methodNotAllowed } from '../http';

const TOKEN_PATH = '/oauth/v2/oauth-token';

export const tokenRoutes = new Hono<AppEnv>().post(TOKEN_PATH, async (c) => {
  if (mediaType(c) !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('the body must be application/x-www-form-urlencoded');
  }
  const form = parseForm(await bodyText(c));
  const grantType = requireParam(form, 'grant_type');
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`);

  const deps = c.get('deps');
  const client = await authenticateClient(deps.db, presentedCredentials(c.req.header('Authorization'), form));
  c.executionCtx.waitUntil(recordClientUse(deps.db, client, deps.now));
  const response = await grant({ ...deps, keys: await deps.keys() }, client, form);
  return c.json(response, 200, NO_STORE);
}).all(TOKEN_PATH, methodNotAllowed('POST'));

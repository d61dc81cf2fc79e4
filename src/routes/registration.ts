import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';
import { OAuthError, invalidClientMetadata } from '../oauth/errors';
import { bearerToken, jsonObjectBody, methodNotAllowed } from '../http';
import { registerInstance } from '../dcr/register-instance';

export const REGISTRATION_PATH = '/oauth/v2/oauth-dynamic-client-registration';

/** With DCR off the endpoint does not exist, for every method and sub-path; discovery omits it too. */
const requireDcrEnabled: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('deps').settings.dcrEnabled) {
    throw new OAuthError('invalid_request', 'dynamic client registration is disabled on this server', 404);
  }
  await next();
};

export const registrationRoutes = new Hono<AppEnv>()
  .use(REGISTRATION_PATH, requireDcrEnabled)
  .use(`${REGISTRATION_PATH}/*`, requireDcrEnabled)
  .post(REGISTRATION_PATH, async (c) => {
    const deps = c.get('deps');
    const initialAccessToken = bearerToken(c);
    const metadata = await jsonObjectBody(c);
    if (!deps.settings.dcrTemplatized) throw invalidClientMetadata('templatized registration is disabled on this server');
    const registered = await registerInstance({ ...deps, keys: await deps.keys() }, { initialAccessToken, metadata });
    return c.json(registered, 201, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  })
  .all(REGISTRATION_PATH, methodNotAllowed('POST'));

import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';
import { OAuthError, invalidClientMetadata } from '../oauth/errors';
import { NO_STORE, bearerToken, jsonObjectBody, methodNotAllowed } from '../http';
import { registerInstance } from '../dcr/register-instance';
import { deleteInstance, readInstance, updateInstance } from '../dcr/manage-instance';
import { REGISTRATION_PATH } from '../dcr/paths';


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
    return c.json(registered, 201, NO_STORE);
  })
  .all(REGISTRATION_PATH, methodNotAllowed('POST'))
  .get(`${REGISTRATION_PATH}/:clientId`, async (c) => {
    const metadata = await readInstance(c.get('deps'), managementRequest(c));
    return c.json(metadata, 200, NO_STORE);
  })
  .put(`${REGISTRATION_PATH}/:clientId`, async (c) => {
    const request = managementRequest(c);
    const metadata = await updateInstance(c.get('deps'), { ...request, metadata: await jsonObjectBody(c) });
    return c.json(metadata, 200, NO_STORE);
  })
  .delete(`${REGISTRATION_PATH}/:clientId`, async (c) => {
    await deleteInstance(c.get('deps'), managementRequest(c));
    return c.body(null, 204, NO_STORE);
  })
  .all(`${REGISTRATION_PATH}/:clientId`, methodNotAllowed('GET', 'PUT', 'DELETE'));

function managementRequest(c: Context<AppEnv>) {
  return { clientId: c.req.param('clientId')!, registrationAccessToken: bearerToken(c) };
}

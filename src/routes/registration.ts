import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';
import { OAuthError, invalidClientMetadata } from '../errors';
import { NO_STORE, bearerToken, jsonObjectBody, methodNotAllowed } from '../http';
import { registerInstance } from '../dcr/register-instance';
import { deleteClient, readClient, updateClient } from '../dcr/manage-client';
import { registerDynamicClient } from '../dcr/register-dynamic-client';
import type { RequestDeps } from '../deps';
import { REGISTRATION_PATH } from '../dcr/paths';
import type { ClientMetadata } from '../dcr/client-response';

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
    const input = { initialAccessToken: bearerToken(c), metadata: await jsonObjectBody(c) };
    const registrationDeps = { ...deps, keys: await deps.keys(), policy: dynamicPolicy(deps) };
    // With software_id: an instance of a template. Without: a plain RFC 7591 client, where that mode is on.
    let registered: ClientMetadata;
    if (input.metadata.software_id !== undefined) {
      if (!deps.settings.dcrTemplatized) throw invalidClientMetadata('templatized registration is disabled on this server');
      registered = await registerInstance(registrationDeps, input);
    } else {
      if (!deps.settings.dcrNonTemplatized) throw invalidClientMetadata('software_id is required: name the template to instantiate');
      registered = await registerDynamicClient(registrationDeps, input);
    }
    c.set('clientId', registered.client_id);
    return c.json(registered, 201, NO_STORE);
  })
  .all(REGISTRATION_PATH, methodNotAllowed('POST'))
  .get(`${REGISTRATION_PATH}/:clientId`, async (c) => {
    const metadata = await readClient(managementDeps(c), managementRequest(c));
    return c.json(metadata, 200, NO_STORE);
  })
  .put(`${REGISTRATION_PATH}/:clientId`, async (c) => {
    const request = managementRequest(c);
    const metadata = await updateClient(managementDeps(c), { ...request, metadata: await jsonObjectBody(c) });
    return c.json(metadata, 200, NO_STORE);
  })
  .delete(`${REGISTRATION_PATH}/:clientId`, async (c) => {
    await deleteClient(managementDeps(c), managementRequest(c));
    return c.body(null, 204, NO_STORE);
  })
  .all(`${REGISTRATION_PATH}/:clientId`, methodNotAllowed('GET', 'PUT', 'DELETE'));

const dynamicPolicy = ({ settings }: RequestDeps) => ({
  scopes: settings.dynamicClientScopes,
  accessTokenTtl: settings.accessTokenTtlSeconds,
});

function managementDeps(c: Context<AppEnv>) {
  const deps = c.get('deps');
  return { ...deps, policy: dynamicPolicy(deps) };
}

function managementRequest(c: Context<AppEnv>) {
  const clientId = c.req.param('clientId')!;
  c.set('clientId', clientId);
  return { clientId, registrationAccessToken: bearerToken(c) };
}

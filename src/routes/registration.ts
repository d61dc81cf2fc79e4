import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';
import { OAuthError, invalidClientMetadata, invalidToken, serverError } from '../errors';
import { NO_STORE, bearerToken, jsonObjectBody, methodNotAllowed } from '../http';
import { registerInstance, registerOpenInstance } from '../dcr/register-instance';
import type { ClientMetadata } from '../dcr/client-response';
import { hmacHex } from '../tokens/secrets';
import { addressKey } from '../limits/client-address';
import { deleteClient, readClient, updateClient } from '../dcr/manage-client';
import { registerDynamicClient } from '../dcr/register-dynamic-client';
import type { RequestDeps } from '../deps';
import { REGISTRATION_PATH } from '../dcr/paths';
import { asResourceRefusal, presentedToken, resourceProof } from '../oauth/dpop-resource';
import { dpopNonceHeader, proofExpectations } from './dpop';

/** With DCR off the endpoint does not exist, for every method and sub-path; discovery omits it too. */
const requireDcrEnabled: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('deps').settings.dcrEnabled) {
    throw new OAuthError('invalid_request', 'dynamic client registration is disabled on this server', 404);
  }
  await next();
};

export const registrationRoutes = new Hono<AppEnv>()
  .use(REGISTRATION_PATH, requireDcrEnabled)
  .use(REGISTRATION_PATH, dpopNonceHeader)
  .use(`${REGISTRATION_PATH}/*`, requireDcrEnabled)
  .post(REGISTRATION_PATH, async (c) => {
    const deps = c.get('deps');
    // No initial access token: open registration, where a template allows it.
    if (c.req.header('Authorization') === undefined) return c.json(await openRegistration(c), 201, NO_STORE);
    // The IAT as a Bearer token, or DPoP-bound with a proof of its key (RFC 9449 7).
    const presented = presentedToken(c.req.header('Authorization'));
    try {
      const proof = await resourceProof(presented, c.req.header('DPoP'), proofExpectations(c, REGISTRATION_PATH));
      const input = { initialAccessToken: presented.token, proof, metadata: await jsonObjectBody(c) };
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
    } catch (error) {
      throw asResourceRefusal(presented.scheme, error);
    }
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

/**
 * Registration without an initial access token: an instance of the open template the request names by `software_id`,
 * or of DCR_OPEN_TEMPLATE when it names none (stock MCP clients know nothing of templates). Limited per client IP;
 * the instance records a keyed hash of the IP. With neither, the answer is 401 as it always was.
 */
async function openRegistration(c: Context<AppEnv>): Promise<ClientMetadata> {
  const deps = c.get('deps');
  const noToken = invalidToken('a bearer token is required in the Authorization header', false);
  // Without an open template to fall back on, a body that is not metadata needs a token as much as any other.
  const metadata = await jsonObjectBody(c).catch((error) => {
    throw deps.settings.openTemplate === null ? noToken : error;
  });
  const softwareId = metadata.software_id ?? deps.settings.openTemplate;
  if (softwareId === null) throw noToken;
  if (typeof softwareId !== 'string') throw invalidClientMetadata('software_id must be a string');
  if (!deps.settings.dcrTemplatized) throw invalidClientMetadata('templatized registration is disabled on this server');
  const clientIp = deps.clientIp ?? 'unknown';
  // Per address here; per template once the template is known to be open (registerOpenInstance), so that anonymous
  // requests naming a template that needs an IAT spend nothing of its registrars' budget.
  const about = { template: softwareId, details: { open_registration: true } };
  await deps.limits.enforce('open_registration', addressKey(clientIp), 'open registrations from this address', about);
  if (!c.env.SESSION_SECRET) throw serverError('SESSION_SECRET is not configured');
  const ipHash = await hmacHex(c.env.SESSION_SECRET, clientIp);
  const registered = await registerOpenInstance({ ...deps, keys: await deps.keys() }, { softwareId, metadata, ipHash });
  c.set('clientId', registered.client_id);
  return registered;
}

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

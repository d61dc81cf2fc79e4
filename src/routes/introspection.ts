import { Hono } from 'hono';
import type { AppEnv } from './types';
import { requireParam } from '../oauth/form';
import { introspect, revoke } from '../oauth/token-introspection';
import { lifetimesOf } from '../grants/user-tokens';
import { NO_STORE, methodNotAllowed } from '../http';
import { authenticatedClient, formBody } from './client-request';

export const INTROSPECTION_PATH = '/oauth/v2/oauth-introspect';
export const REVOCATION_PATH = '/oauth/v2/oauth-revoke';

/** RFC 7662 and RFC 7009, both behind client authentication. `token_type_hint` is optional and not needed. */
export const introspectionRoutes = new Hono<AppEnv>()
  .post(INTROSPECTION_PATH, async (c) => {
    const form = await formBody(c);
    const token = requireParam(form, 'token');
    const deps = c.get('deps');
    const answer = await introspect(
      { ...deps, keys: await deps.keys() },
      async () => (await authenticatedClient(c, form, INTROSPECTION_PATH)).client,
      token,
    );
    return c.json(answer, 200, NO_STORE);
  })
  .post(REVOCATION_PATH, async (c) => {
    const form = await formBody(c);
    const { client: caller } = await authenticatedClient(c, form, REVOCATION_PATH);
    const deps = c.get('deps');
    await revoke({ ...deps, keys: await deps.keys() }, caller, requireParam(form, 'token'), lifetimesOf(caller, deps.now));
    return c.body(null, 200, NO_STORE);
  })
  .all(INTROSPECTION_PATH, methodNotAllowed('POST'))
  .all(REVOCATION_PATH, methodNotAllowed('POST'));

import { Hono } from 'hono';
import type { AppEnv } from './types';
import { NO_STORE, methodNotAllowed } from '../http';
import { pushAuthorizationRequest } from '../oauth/pushed-requests';
import { authenticatedClient, formBody } from './client-request';
import { AUTHORIZE_PATH } from './authorize';

/** RFC 9126: the pushed authorization request endpoint (`pushed_authorization_request_endpoint` in discovery). */
export const PAR_PATH = `${AUTHORIZE_PATH}/par`;

/** The client authenticates as at the token endpoint (a public client names itself); the answer is 201 (RFC 9126 2.2). */
export const parRoutes = new Hono<AppEnv>()
  .post(PAR_PATH, async (c) => {
    const form = await formBody(c);
    const { client } = await authenticatedClient(c, form, PAR_PATH);
    return c.json(await pushAuthorizationRequest(c.get('deps'), client, form), 201, NO_STORE);
  })
  .all(PAR_PATH, methodNotAllowed('POST'));

import type { Context } from 'hono';
import type { AppEnv } from './types';
import { invalidRequest } from '../oauth/errors';
import { parseForm, type Form } from '../oauth/form';
import { authenticateClient, presentedCredentials } from '../oauth/client-auth';
import type { Client } from '../oauth/client';
import { recordClientUse } from '../storage/clients';
import { bodyText, mediaType } from '../http';

/** The form of a client-authenticated endpoint (token, introspection, revocation). */
export async function formBody(c: Context<AppEnv>): Promise<Form> {
  if (mediaType(c) !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('the body must be application/x-www-form-urlencoded');
  }
  return parseForm(await bodyText(c));
}

/** Authenticates the calling client and notes its use for the inventory, off the response's path. */
export async function authenticatedClient(c: Context<AppEnv>, form: Form): Promise<Client> {
  const { db, now } = c.get('deps');
  const client = await authenticateClient(db, presentedCredentials(c.req.header('Authorization'), form));
  c.executionCtx.waitUntil(recordClientUse(db, client, now));
  return client;
}

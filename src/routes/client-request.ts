import type { Context } from 'hono';
import type { AppEnv } from './types';
import { invalidRequest } from '../errors';
import { parseForm, type Form } from '../oauth/form';
import { authenticateClient, presentedCredentials } from '../oauth/client-auth';
import type { Client } from '../oauth/client';
import type { StoredUser } from '../model';
import { bodyText, mediaType } from '../http';

/** The form of a client-authenticated endpoint (token, introspection, revocation). */
export async function formBody(c: Context<AppEnv>): Promise<Form> {
  if (mediaType(c) !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('the body must be application/x-www-form-urlencoded');
  }
  return parseForm(await bodyText(c));
}

/**
 * Authenticates the calling client, reading it (and the user `userSubject` names, if any) in one round trip, and
 * notes its use for the inventory off the response's path.
 */
export async function authenticatedClient(
  c: Context<AppEnv>,
  form: Form,
  userSubject?: string,
): Promise<{ client: Client; user: StoredUser | null }> {
  const { store, now } = c.get('deps');
  const credentials = presentedCredentials(c.req.header('Authorization'), form);
  const lookup = await store.lookUp({ clientId: credentials.clientId, ...(userSubject === undefined ? {} : { userSubject }) });
  const client = await authenticateClient(lookup.client, credentials);
  c.executionCtx.waitUntil(store.clients.recordUse(client, now));
  return { client, user: lookup.user };
}

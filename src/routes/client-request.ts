import type { Context } from 'hono';
import type { AppEnv } from './types';
import { invalidRequest, tooManyRequests } from '../errors';
import { parseForm, type Form } from '../oauth/form';
import { authenticateClient, presentedCredentials } from '../oauth/client-auth';
import type { Client } from '../oauth/client';
import type { StoredUser } from '../model';
import { bodyText, mediaType } from '../http';
import { clientLookup } from '../dcr/metadata-document-url';

/** The form of a client-authenticated endpoint (token, introspection, revocation). */
export async function formBody(c: Context<AppEnv>): Promise<Form> {
  if (mediaType(c) !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('the body must be application/x-www-form-urlencoded');
  }
  return parseForm(await bodyText(c));
}

/**
 * Authenticates the calling client at the endpoint at `path` (a client assertion may name its URL), reading it (and
 * the user `userSubject` names, if any) in one round trip, and notes its use for the inventory off the response's
 * path. A client assertion costs one ledger round trip more, once it verified: its jti is spent.
 */
export async function authenticatedClient(
  c: Context<AppEnv>,
  form: Form,
  path: string,
  userSubject?: string,
): Promise<{ client: Client; user: StoredUser | null }> {
  const deps = c.get('deps');
  const { store, now, background, limits } = deps;
  const credentials = presentedCredentials(c.req.header('Authorization'), form);
  c.set('clientId', credentials.clientId);
  const lookup = await store.lookUp({ ...clientLookup(credentials.clientId), ...(userSubject === undefined ? {} : { userSubject }) });
  let client: Client;
  try {
    client = await authenticateClient(lookup.client, credentials, { ...deps, endpoint: `${deps.issuer}${path}` });
  } catch (error) {
    // Failures per client id (CLIENT_AUTH_LIMITER): over the limit they answer 429. A right secret (or a valid
    // assertion) still authenticates: client secrets are 256-bit, so a lockout would protect nothing and let anyone
    // shut a client out.
    const wait = await limits.countFailure('client_auth', credentials.clientId, { clientId: credentials.clientId });
    if (wait > 0) throw tooManyRequests('too many failed client authentications; try again later', wait);
    throw error;
  }
  // A metadata-document client has no row to note its use in.
  if (client.kind !== 'metadata_document') background('recording client use', store.clients.recordUse(client, now));
  return { client, user: lookup.user };
}

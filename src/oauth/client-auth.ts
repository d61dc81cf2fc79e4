import { invalidClient, invalidRequest } from '../errors';
import type { Form } from './form';
import { activeClient, type Client } from './client';
import type { ClientRecord } from '../store/store';
import { matchesHash } from '../tokens/secrets';
import { presentedAssertion, verifyClientAssertion, type AssertionDeps, type PresentedAssertion } from './client-assertion';

/** Client credentials as presented, before any lookup (RFC 6749 2.3.1). */
export type PresentedCredentials =
  | { clientId: string; secret: string; method: 'client_secret_basic' | 'client_secret_post' }
  /** A public client names itself and proves nothing; PKCE binds its code instead (RFC 7636). */
  | { clientId: string; secret: null; method: 'none' }
  /** RFC 7523: a JWT signed with the client's key. */
  | PresentedAssertion;

/** Reads the credentials from the Authorization header or the form, refusing two methods at once. */
export function presentedCredentials(authorization: string | undefined, form: Form): PresentedCredentials {
  if (form.has('client_assertion') || form.has('client_assertion_type')) return presentedAssertion(authorization, form);
  const bodySecret = form.get('client_secret');
  const bodyClientId = form.get('client_id');
  if (authorization !== undefined) {
    if (bodySecret !== undefined) throw invalidRequest('use one client authentication method, not both Basic and client_secret');
    const basic = parseBasic(authorization);
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      throw invalidRequest('client_id in the body does not match the Authorization header');
    }
    return { ...basic, method: 'client_secret_basic' };
  }
  if (bodyClientId === undefined) throw invalidRequest('client authentication is required');
  if (bodySecret === undefined) return { clientId: bodyClientId, secret: null, method: 'none' };
  return { clientId: bodyClientId, secret: bodySecret, method: 'client_secret_post' };
}

function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
  if (!match) throw invalidClient('the Authorization header is not valid Basic credentials');
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    throw invalidClient('the Authorization header is not valid Basic credentials');
  }
  const colon = decoded.indexOf(':');
  if (colon < 1) throw invalidClient('the Authorization header is not valid Basic credentials');
  try {
    // RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('the Authorization header is not valid Basic credentials');
  }
}

/**
 * The authenticated client (as looked up for `credentials.clientId`), resolved against its template as it is now. Unknown client, wrong secret, a method
 * the client may not use (`none` only for public clients, `private_key_jwt` only for clients with keys), and a
 * deleted or disabled template all answer the same `invalid_client`; so does an assertion that does not verify
 * (`deps`: what checking one needs, the endpoint called included).
 */
export async function authenticateClient(
  record: ClientRecord | null,
  credentials: PresentedCredentials,
  deps: AssertionDeps,
): Promise<Client> {
  const client = activeClient(record);
  if (!client?.authMethods.includes(credentials.method)) throw invalidClient('client authentication failed');
  if (credentials.method === 'private_key_jwt') await verifyClientAssertion(deps, client, credentials.assertion);
  else if (!(await secretMatches(client, credentials))) throw invalidClient('client authentication failed');
  return client;
}

async function secretMatches(client: Client, credentials: Exclude<PresentedCredentials, PresentedAssertion>): Promise<boolean> {
  if (credentials.secret === null) return client.credential === 'none';
  return client.secretHash !== null && matchesHash(credentials.secret, client.secretHash);
}

import { UnverifiedRedirectError, type AuthorizationParams } from './authorization-request';
import { activeClient, type Client } from './client';
import { clientLookup } from '../dcr/metadata-document-url';
import { withMetadataDocument } from '../dcr/metadata-document';
import { OutboundDocumentError, type OutboundDocuments } from '../outbound/documents';
import type { Store } from '../store/store';
import type { KeySet } from '../tokens/keys';
import { verifiedIdTokenHint } from '../tokens/id-token';

/**
 * OpenID Connect RP-Initiated Logout 1.0: a client sends the browser to the end-session endpoint to sign the user
 * out. `id_token_hint` (one of our ID tokens, expired or not) and `client_id` name the client; `post_logout_redirect_uri`
 * must be one the client registered, exactly, and `state` goes back with it. A request that names a client we cannot
 * verify, or a URI it did not register, is refused with an error page: it never redirects.
 */

/** The parameters the confirmation form posts back; `ui_locales` and `logout_hint` are accepted and ignored. */
export const LOGOUT_PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const;

export interface LogoutDeps {
  store: Store;
  keys: () => Promise<KeySet>;
  issuer: string;
  documents: OutboundDocuments;
  now: number;
}

export interface LogoutRequest {
  /** The client asking, when the request names one. */
  client: Client | null;
  /** Where the browser goes once the user is signed out (with `state`); null: the signed-out page. */
  redirectTo: string | null;
  /** The parameters, for the confirmation form to post back. */
  fields: ReadonlyArray<readonly [string, string]>;
}

const refused = (description: string, client: Client | null = null, code: UnverifiedRedirectError['code'] = 'invalid_request') =>
  new UnverifiedRedirectError(code, description, client);

/** The logout request, verified: the client it names (read in one round trip) and where to go afterwards. */
export async function logoutRequest(deps: LogoutDeps, params: AuthorizationParams): Promise<LogoutRequest> {
  const [repeated] = params.repeated;
  if (repeated !== undefined) throw refused(`the ${repeated} parameter is repeated`);
  const get = (name: (typeof LOGOUT_PARAMS)[number]) => params.values.get(name);
  const clientId = await namedClientId(deps, get('id_token_hint'), get('client_id'));
  const client = clientId === undefined ? null : await namedClient(deps, clientId);
  const fields = LOGOUT_PARAMS.flatMap((name) => {
    const value = get(name);
    return value === undefined ? [] : [[name, value] as const];
  });
  const uri = get('post_logout_redirect_uri');
  if (uri === undefined) return { client, redirectTo: null, fields };
  if (!client) throw refused('post_logout_redirect_uri needs an id_token_hint or a client_id naming the client that registered it');
  if (!client.postLogoutRedirectUris.includes(uri)) {
    throw refused('the post_logout_redirect_uri is not registered for this client', client, 'invalid_redirect_uri');
  }
  const state = get('state');
  const redirectTo = new URL(uri);
  if (state !== undefined) redirectTo.searchParams.append('state', state);
  return { client, redirectTo: redirectTo.href, fields };
}

/** The client the hint was issued to (the hint checked first), or the one `client_id` names; they must agree. */
async function namedClientId(deps: LogoutDeps, hint: string | undefined, clientId: string | undefined): Promise<string | undefined> {
  if (hint === undefined) return clientId;
  const verified = await verifiedIdTokenHint(await deps.keys(), deps.issuer, hint);
  if (!verified) throw refused('the id_token_hint is not an ID token this server issued');
  if (clientId !== undefined && clientId !== verified.aud) throw refused('the client_id is not the one the id_token_hint was issued to');
  return verified.aud;
}

/** The client as it is now (a metadata-document client as its document says): it must exist and be able to act. */
async function namedClient(deps: LogoutDeps, clientId: string): Promise<Client> {
  const client = activeClient((await deps.store.lookUp(clientLookup(clientId))).client);
  if (!client) throw refused('the client is unknown or not active', null, 'invalid_client');
  try {
    return await withMetadataDocument(deps, client);
  } catch (error) {
    if (error instanceof OutboundDocumentError) throw refused(error.description, null, 'invalid_client');
    throw error;
  }
}

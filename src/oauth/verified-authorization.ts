import { verifyRedirect, type AuthorizationParams, type VerifiedRedirect } from './authorization-request';
import type { Client } from './client';
import { withMetadataDocument } from '../dcr/metadata-document';
import type { OutboundDocuments } from '../outbound/documents';

export interface VerifiedAuthorization {
  target: VerifiedRedirect;
  /** The parameters to read the rest of the request from (parseAuthorizationRequest). */
  params: AuthorizationParams;
}

/**
 * From the parameters as received to the request's verified redirect, for the authorization endpoint and the pushed
 * authorization request endpoint alike: the client as its metadata document describes it (when it has one), then its
 * redirect URI. A step that resolves parameters from others (a signed request object) belongs here, once for both,
 * before anything relies on them. Throws UnverifiedRedirectError, or OutboundDocumentError for an unusable document.
 */
export async function verifiedAuthorization(
  deps: { documents: OutboundDocuments; now: number },
  client: Client,
  params: AuthorizationParams,
): Promise<VerifiedAuthorization> {
  return { target: verifyRedirect(await withMetadataDocument(deps, client), params), params };
}

import { OAuthError } from '../errors';
import { UnverifiedRedirectError, verifyRedirect, type AuthorizationParams, type VerifiedRedirect } from './authorization-request';
import type { Client } from './client';
import { withMetadataDocument } from '../dcr/metadata-document';
import { resolveRequestObject, type RequestObjectDeps } from './request-object';

export interface VerifiedAuthorization {
  target: VerifiedRedirect;
  /** The parameters to read the rest of the request from (parseAuthorizationRequest). */
  params: AuthorizationParams;
}

/**
 * From the parameters as received to the request's verified redirect, for the authorization endpoint and the pushed
 * authorization request endpoint alike: the client as its metadata document describes it (when it has one), a signed
 * request object's parameters in place of the others (RFC 9101, src/oauth/request-object.ts), then the redirect URI.
 * Throws UnverifiedRedirectError (a request object refused is one: the redirect URI it names is not verified yet), or
 * OutboundDocumentError for an unusable document.
 */
export async function verifiedAuthorization(
  deps: RequestObjectDeps,
  client: Client,
  params: AuthorizationParams,
): Promise<VerifiedAuthorization> {
  const described = await withMetadataDocument(deps, client);
  const resolved = await requestObjectParams(deps, described, params);
  return { target: verifyRedirect(described, resolved), params: resolved };
}

async function requestObjectParams(deps: RequestObjectDeps, client: Client, params: AuthorizationParams): Promise<AuthorizationParams> {
  try {
    return await resolveRequestObject(deps, client, params);
  } catch (error) {
    if (!(error instanceof OAuthError) || error.status >= 500) throw error;
    throw new UnverifiedRedirectError(error.code as UnverifiedRedirectError['code'], error.description, client);
  }
}

import type { Client } from '../oauth/client';
import { redirectUriMatches } from '../oauth/redirect-uri-match';
import { redirectUriProblem } from '../oauth/redirect-uris';
import { isStringArray } from './metadata-rules';
import { metadataDocumentUrlProblem } from './metadata-document-url';
import { OutboundDocumentError, type DocumentKind, type OutboundDocuments } from '../outbound/documents';

/**
 * Client ID Metadata Documents (draft-parecki-oauth-client-id-metadata-document): a client whose id is an https URL
 * publishes its metadata there. The document is fetched (src/outbound/documents.ts: size and time limits, a
 * per-isolate cache bounded by Cache-Control) and validated against the template that allows its host on every use.
 */

/** The draft's advice: documents are small. */
export const METADATA_DOCUMENT: DocumentKind = {
  name: 'the client metadata document',
  maxBytes: 5 * 1024,
  urlProblem: metadataDocumentUrlProblem,
};

export type MetadataDocument = Record<string, unknown>;

/** The document at the client's URL; anything but a JSON object is an OutboundDocumentError. */
export async function metadataDocumentOf(documents: OutboundDocuments, url: string, now: number): Promise<MetadataDocument> {
  const document = await documents.get(METADATA_DOCUMENT, url, now);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new OutboundDocumentError('the client metadata document is not a JSON object');
  }
  return document as MetadataDocument;
}

/**
 * The client as its document describes it, within its template: the document names itself (`client_id` is its URL),
 * is public (`none`, which the template must allow), and lists only redirect URIs the template allows.
 */
export function clientWithDocument(client: Client, document: MetadataDocument): Client {
  if (document.client_id !== client.clientId) throw new OutboundDocumentError('the client metadata document’s client_id is not its URL');
  if (document.token_endpoint_auth_method !== 'none' || !client.authMethods.includes('none')) {
    throw new OutboundDocumentError('a client with a metadata document must be public: token_endpoint_auth_method "none"');
  }
  const { redirect_uris: uris, client_name: name } = document;
  if (!isStringArray(uris) || uris.length === 0) throw new OutboundDocumentError('the client metadata document lists no redirect_uris');
  const foreign = uris.find(
    (uri) => redirectUriProblem(uri) !== null || !client.redirectUris.some((allowed) => redirectUriMatches(allowed, uri)),
  );
  if (foreign !== undefined) throw new OutboundDocumentError(`the redirect URI ${JSON.stringify(foreign)} is not one this server allows`);
  const clientName = typeof name === 'string' && name.length > 0 && name.length <= 200 ? name : client.clientName;
  // Logout may return only to URIs the document lists and the template allows (exactly): the others are not registered.
  const { post_logout_redirect_uris: postLogout } = document;
  const postLogoutRedirectUris = isStringArray(postLogout) ? postLogout.filter((uri) => client.postLogoutRedirectUris.includes(uri)) : [];
  return { ...client, clientName, applicationName: clientName, redirectUris: uris, postLogoutRedirectUris };
}

/** A metadata-document client as its document (fetched or cached) describes it; any other client as it is. */
export async function withMetadataDocument(deps: { documents: OutboundDocuments; now: number }, client: Client): Promise<Client> {
  if (client.kind !== 'metadata_document') return client;
  return clientWithDocument(client, await metadataDocumentOf(deps.documents, client.clientId, deps.now));
}

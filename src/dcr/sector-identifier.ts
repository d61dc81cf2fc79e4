import { OutboundDocumentError, type DocumentKind, type OutboundDocuments } from '../outbound/documents';
import { hostProblem } from './metadata-document-url';
import { isHttpsUrl } from './presentation';
import { redirectUriMatches } from '../oauth/redirect-uri-match';

/**
 * OpenID Connect Core 8.1 and Registration 5: a `sector_identifier_uri` is an https URL, on a public host, whose
 * document is a JSON array of URIs listing every redirect URI of the client: whoever controls it vouches that the
 * redirect URIs belong to one sector (its host). It is read (src/outbound/documents.ts) whenever such a client is
 * configured: a template or static client written by an admin, a dynamic client or an instance registered or updated.
 */

/** Why `value` cannot be a sector_identifier_uri, or null when it can. */
export function sectorIdentifierUriProblem(value: string): string | null {
  if (!isHttpsUrl(value)) return 'must be an https URL (no user information, no fragment)';
  return hostProblem(new URL(value).hostname);
}

export const SECTOR_IDENTIFIER: DocumentKind = {
  name: 'the sector_identifier_uri document',
  maxBytes: 5 * 1024,
  urlProblem: sectorIdentifierUriProblem,
};

/**
 * Why the document at `sectorIdentifierUri` does not vouch for `redirectUris`, or null when it does. An entry matches
 * a redirect URI by the authorization endpoint's rule (a loopback URI on any port, RFC 8252 7.3).
 */
export async function sectorDocumentProblem(
  documents: OutboundDocuments,
  client: { sectorIdentifierUri: string; redirectUris: readonly string[] },
  now: number,
): Promise<string | null> {
  let document: unknown;
  try {
    document = await documents.get(SECTOR_IDENTIFIER, client.sectorIdentifierUri, now);
  } catch (error) {
    if (error instanceof OutboundDocumentError) return error.description;
    throw error;
  }
  if (!Array.isArray(document) || !document.every((entry) => typeof entry === 'string')) {
    return 'the sector_identifier_uri document must be a JSON array of URIs';
  }
  const missing = client.redirectUris.find((uri) => !document.some((entry: string) => redirectUriMatches(entry, uri)));
  return missing === undefined ? null : `the sector_identifier_uri document does not list the redirect URI ${JSON.stringify(missing)}`;
}

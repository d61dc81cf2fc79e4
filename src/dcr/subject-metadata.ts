import { invalidClientMetadata } from '../errors';
import { ID_TOKEN_ALGS, SUBJECT_TYPES, type SubjectSettings } from '../model';
import { pairwiseSectorProblem } from '../oauth/pairwise-sector';
import { sectorDocumentProblem, sectorIdentifierUriProblem } from './sector-identifier';
import type { OutboundDocuments } from '../outbound/documents';

/**
 * OpenID Connect Registration 2 for a client registered without a template: `subject_type` (public by default, or
 * pairwise with a sector: OpenID Connect Core 8.1), `sector_identifier_uri`, `userinfo_signed_response_alg`.
 */
export function subjectSettingsFrom(metadata: Record<string, unknown>, redirectUris: string[]): SubjectSettings {
  const { subject_type = 'public', sector_identifier_uri, userinfo_signed_response_alg } = metadata;
  if (!SUBJECT_TYPES.includes(subject_type as never))
    throw invalidClientMetadata(`subject_type must be one of ${SUBJECT_TYPES.join(', ')}`);
  if (sector_identifier_uri !== undefined) {
    const problem = typeof sector_identifier_uri === 'string' ? sectorIdentifierUriProblem(sector_identifier_uri) : 'must be a string';
    if (problem) throw invalidClientMetadata(`sector_identifier_uri ${problem}`);
  }
  if (userinfo_signed_response_alg !== undefined && !ID_TOKEN_ALGS.includes(userinfo_signed_response_alg as never)) {
    throw invalidClientMetadata(`userinfo_signed_response_alg must be one of ${ID_TOKEN_ALGS.join(', ')}`);
  }
  const settings = {
    subject_type: subject_type as SubjectSettings['subject_type'],
    ...(sector_identifier_uri === undefined ? {} : { sector_identifier_uri: sector_identifier_uri as string }),
    ...(userinfo_signed_response_alg === undefined ? {} : { userinfo_signed_response_alg: userinfo_signed_response_alg as never }),
  };
  const problem = pairwiseSectorProblem({ ...settings, redirect_uris: redirectUris });
  if (problem) throw invalidClientMetadata(problem);
  return settings;
}

/**
 * At registration and RFC 7592 update, before anything is spent or written: the client's sector_identifier_uri (its
 * own, or its template's) must list every redirect URI it will use (src/dcr/sector-identifier.ts).
 */
export async function requireSectorDocument(
  deps: { documents: OutboundDocuments; now: number },
  client: { sectorIdentifierUri: string | undefined; redirectUris: readonly string[] },
): Promise<void> {
  if (client.sectorIdentifierUri === undefined) return;
  const problem = await sectorDocumentProblem(deps.documents, { ...client, sectorIdentifierUri: client.sectorIdentifierUri }, deps.now);
  if (problem) throw invalidClientMetadata(problem);
}

/**
 * What a sector_identifier_uri must list: the redirect URIs the client will use (an instance's own choice, within
 * its template's, or the configuration's).
 */
export const sectorClientOf = (config: SubjectSettings & { redirect_uris: string[] }, chosenUris?: string[]) => ({
  sectorIdentifierUri: config.sector_identifier_uri,
  redirectUris: chosenUris ?? config.redirect_uris,
});

import type { SubjectSettings } from '../model';

/**
 * OpenID Connect Core 8.1: the sector a pairwise `sub` is computed for. It is the host of the
 * `sector_identifier_uri` when there is one, else the one host all the redirect URIs share; with several hosts and no
 * `sector_identifier_uri` there is none, and such a configuration is refused where it is written.
 */
export function sectorOf(config: SubjectSettings & { redirect_uris: readonly string[] }): string | null {
  if (config.sector_identifier_uri !== undefined) return new URL(config.sector_identifier_uri).hostname;
  const hosts = new Set(config.redirect_uris.map((uri) => new URL(uri).hostname));
  return hosts.size === 1 ? [...hosts][0]! : null;
}

/** Why a pairwise configuration has no sector, or null when it has one (or is public). */
export function pairwiseSectorProblem(config: SubjectSettings & { redirect_uris: readonly string[] }): string | null {
  if (config.subject_type !== 'pairwise' || sectorOf(config) !== null) return null;
  return config.redirect_uris.length === 0
    ? 'subject_type "pairwise" needs a sector_identifier_uri or redirect URIs'
    : 'subject_type "pairwise" with redirect URIs on several hosts needs a sector_identifier_uri (OpenID Connect Core 8.1)';
}

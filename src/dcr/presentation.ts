import { invalidClientMetadata } from '../errors';
import type { Presentation } from '../model';

/** The human-facing metadata of RFC 7591 2 the pages show: a logo and two links, https only. */
export const PRESENTATION_FIELDS = ['logo_uri', 'policy_uri', 'tos_uri'] as const;

const MAX_URL_LENGTH = 2048;

/** An https URL without user information or fragment: safe to put in a page as a link or an image. */
export function isHttpsUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH || !URL.canParse(value) || value.includes('#')) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.username === '' && url.password === '';
}

/** The presentation fields of registration metadata, each an https URL; anything else is invalid_client_metadata. */
export function presentationFrom(metadata: Record<string, unknown>): Presentation {
  const presentation: Presentation = {};
  for (const field of PRESENTATION_FIELDS) {
    const value = metadata[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !isHttpsUrl(value)) throw invalidClientMetadata(`${field} must be an https URL`);
    presentation[field] = value;
  }
  return presentation;
}

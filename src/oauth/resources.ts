import { invalidTarget } from '../errors';
import { resourceMatches } from '../grant-rules';

/**
 * RFC 8707 resource indicators. A client's allowed resources are exact URLs, or https prefixes written with a
 * trailing `/*` (`https://tools.example.com/*` allows everything under that path, and no look-alike host).
 */

/** The resource an authorization or token request names, when this client may ask for it; else `invalid_target`. */
export function allowedResource(resource: string, allowed: readonly string[]): string {
  if (!URL.canParse(resource)) throw invalidTarget('resource must be an absolute URI');
  if (resource.includes('#')) throw invalidTarget('resource must not contain a fragment');
  if (!allowed.some((entry) => resourceMatches(entry, resource))) {
    throw invalidTarget(`resource "${resource}" is not one this client may ask tokens for`);
  }
  return resource;
}

/** Why an admin-set allowed resource is not usable, or null. */
export function allowedResourceProblem(entry: string): string | null {
  const target = entry.endsWith('/*') ? entry.slice(0, -1) : entry;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'must be an absolute URL, or an https prefix ending in "/*"';
  }
  if (entry.includes('#')) return 'must not contain a fragment';
  if (entry !== target && url.protocol !== 'https:') return 'a prefix must be https';
  return null;
}

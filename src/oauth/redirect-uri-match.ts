/**
 * Matching a requested redirect URI against the registered ones: exact string comparison (RFC 9700 2.1),
 * except that a loopback http URI may use any port (RFC 8252 7.3: native apps listen on an ephemeral port).
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const a = loopbackWithoutPort(registered);
  return a !== null && a === loopbackWithoutPort(requested);
}

/** The URI with its port removed when it is an http loopback URI, else null. */
function loopbackWithoutPort(uri: string): string | null {
  if (!uri.startsWith('http://')) return null;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) return null;
  // Compare the rest as written: URL parsing would normalise what exact matching must not (and drops a written :80).
  const rest = uri.slice('http://'.length);
  if (!rest.toLowerCase().startsWith(url.hostname)) return null;
  return `http://${url.hostname}${rest.slice(url.hostname.length).replace(/^:\d{1,5}/, '')}`;
}

/**
 * The redirect URI an authorization request uses: the requested one when registered, the only registered
 * one when none was requested, else null (the caller shows an error page; it never redirects).
 */
export function resolveRedirectUri(registered: readonly string[], requested: string | undefined): string | null {
  if (requested === undefined) return registered.length === 1 ? registered[0]! : null;
  return registered.some((uri) => redirectUriMatches(uri, requested)) ? requested : null;
}

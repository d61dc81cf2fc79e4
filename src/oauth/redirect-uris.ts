/** Redirect URI rules (RFC 6749 3.1.2, RFC 8252, RFC 9700 2.1). */

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Whitespace and control characters let a URI mean one thing to us and another to a browser.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this rejects
const UNSAFE_CHARACTERS = /[\u0000-\u0020\u007f-\u00a0\u2028\u2029]/;

/** Why `uri` cannot be registered as a redirect URI, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  if (UNSAFE_CHARACTERS.test(uri)) return 'must not contain whitespace or control characters';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `the ${url.protocol} scheme is not allowed`;
  if (uri.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return 'http is allowed only for loopback hosts';
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.username + url.password !== '') {
    return 'must not contain user information';
  }
  return null;
}

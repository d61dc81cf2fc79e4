/**
 * Which URLs may be fetched as Client ID Metadata Documents (draft-parecki-oauth-client-id-metadata-document): https
 * with a path, nothing that would let a client make this server call into a private network. Workers cannot resolve
 * a name before fetching it, so a name is refused only when it is loopback by definition (`localhost`); addresses
 * are checked here, and a template must list a host before anything on it is fetched.
 */

/** Why `value` cannot be a metadata document URL, or null when it can. */
export function metadataDocumentUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (url.username !== '' || url.password !== '') return 'must not contain user information';
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.pathname === '/') return 'must have a path';
  // URL parsing resolves dot segments, so they are looked for in the text as written.
  const path = value.slice(url.origin.length).split(/[?#]/)[0]!;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return 'must not contain . or .. segments';
  return hostProblem(url.hostname);
}

/** Why `host` (a name, an IPv4 address or a bracketed IPv6 address) may not serve metadata documents, or null. */
export function hostProblem(host: string): string | null {
  const name = host.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return 'must not name a loopback or private address';
  const v4 = ipv4(name);
  if (v4) return isPublicIpv4(v4) ? null : 'must not name a loopback or private address';
  if (name.startsWith('[')) return isGlobalIpv6(name.slice(1, -1)) ? null : 'must not name a loopback or private address';
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) return 'must be a host name';
  return null;
}

function ipv4(name: string): number[] | null {
  const parts = name.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** Not "this network", private (RFC 1918), shared (RFC 6598), loopback, link-local, benchmarking, multicast or reserved. */
function isPublicIpv4([a, b]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127 || a! >= 224) return false;
  if (a === 100 && b! >= 64 && b! <= 127) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b! >= 16 && b! <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  return true;
}

/** Global unicast (2000::/3) only: loopback, unique-local, link-local and IPv4-mapped addresses are not. */
function isGlobalIpv6(address: string): boolean {
  const first = Number.parseInt(address.split(':')[0] || '0', 16);
  return first >= 0x2000 && first <= 0x3fff;
}

/**
 * What to look up for a presented client id: the client, and when the id is an https URL, also the template that
 * would make it a metadata-document client (src/store/store.ts, LookupRequest).
 */
export function clientLookup(clientId: string): { clientId: string; metadataDocumentHost?: string } {
  if (!clientId.startsWith('https://') || !URL.canParse(clientId)) return { clientId };
  return { clientId, metadataDocumentHost: new URL(clientId).hostname };
}

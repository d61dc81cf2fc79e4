/** Server-generated secrets: high entropy, stored only as SHA-256, compared in constant time. */

const encoder = new TextEncoder();

/** `bytes` random bytes as base64url (32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of base64url text; throws on text that is not base64url. */
export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export async function sha256(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Hex SHA-256: the form secrets are stored in. */
export async function sha256Hex(value: string): Promise<string> {
  return hex(await sha256(value));
}

/** HMAC-SHA256 of `value` under the text `key`. */
export async function hmacSha256(key: string, value: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(value)));
}

/** Hex HMAC-SHA256 of `value` under `key`: a fingerprint that cannot be reversed by trying every value (IP addresses). */
export async function hmacHex(key: string, value: string): Promise<string> {
  return hex(await hmacSha256(key, value));
}

/** Does `presented` hash to `storedHex`? Digests have equal length, so the comparison leaks nothing. */
export async function matchesHash(presented: string, storedHex: string): Promise<boolean> {
  const computed = encoder.encode(await sha256Hex(presented));
  const stored = encoder.encode(storedHex);
  return computed.byteLength === stored.byteLength && crypto.subtle.timingSafeEqual(computed, stored);
}

/** Constant-time equality of two secrets of any length (compares their digests). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

import { base64url, fromBase64url } from '../tokens/secrets';

/**
 * User passwords: PBKDF2-SHA256 at 100,000 iterations (the Workers maximum) with a 128-bit per-user salt.
 * Stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>` so the cost can be raised later without a migration.
 */
const ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const PREFIX = 'pbkdf2-sha256';

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, ITERATIONS);
  return [PREFIX, ITERATIONS, base64url(salt), base64url(hash)].join('$');
}

/** Does `password` match `stored`? Constant-time on the derived bytes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, iterations, salt, hash] = stored.split('$');
  if (prefix !== PREFIX || !iterations || !salt || !hash) return false;
  const expected = fromBase64url(hash);
  const derived = await derive(password, fromBase64url(salt), Number(iterations));
  return derived.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(derived, expected);
}

// An unknown username costs as much as a wrong password, so response times do not reveal which users exist.
const DECOY_HASH = `${PREFIX}$${ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
export const spendPasswordCheck = (password: string) => verifyPassword(password, DECOY_HASH);

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BITS));
}

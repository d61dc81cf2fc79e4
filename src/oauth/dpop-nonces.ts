import { base64url, hmacSha256 } from '../tokens/secrets';

/**
 * Server-provided DPoP nonces (RFC 9449 8 and 9), stateless: a nonce is the HMAC of a time step under a key derived
 * from SESSION_SECRET, so any isolate anywhere checks any nonce without storage. The current step's nonce and the
 * previous one's are accepted: a nonce handed out lives between one and two steps.
 */
export const NONCE_STEP_MS = 120_000;

export interface DPoPNonces {
  /** The nonce to hand out now (the `DPoP-Nonce` header). */
  current(): Promise<string>;
  /** Whether a proof's nonce is one handed out in this step or the one before. */
  accepts(nonce: string): Promise<boolean>;
}

const encoder = new TextEncoder();

// The key is derived once per isolate (keyed by the secret's text), and apart from the secret's other uses (session
// cookies, the IP hash): no value they sign can pass for a nonce.
let derived: { secret: string; key: Promise<CryptoKey> } | undefined;

async function deriveKey(secret: string): Promise<CryptoKey> {
  const bytes = await hmacSha256(secret, 'edge-dcr DPoP nonce key');
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

function nonceKey(secret: string): Promise<CryptoKey> {
  if (derived?.secret !== secret) derived = { secret, key: deriveKey(secret) };
  return derived.key;
}

export function dpopNonces(secret: string, now: number): DPoPNonces {
  const step = Math.floor(now / NONCE_STEP_MS);
  const nonceOf = async (s: number) =>
    base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await nonceKey(secret), encoder.encode(String(s)))));
  return {
    current: () => nonceOf(step),
    async accepts(nonce) {
      const presented = encoder.encode(nonce);
      const valid = await Promise.all([nonceOf(step), nonceOf(step - 1)]);
      // Every candidate is compared, in constant time: which step matched, if any, is not told by timing.
      return valid
        .map((candidate) => {
          const expected = encoder.encode(candidate);
          return expected.byteLength === presented.byteLength && crypto.subtle.timingSafeEqual(expected, presented);
        })
        .includes(true);
    },
  };
}

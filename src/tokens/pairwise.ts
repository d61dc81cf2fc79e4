import { base64url, fromBase64url } from './secrets';

/**
 * Pairwise subject identifiers (OpenID Connect Core 8.1) that only this server can open: a deterministic
 * authenticated encryption of the user's subject, bound to the sector. It is the SIV construction (RFC 5297's
 * design, with HMAC-SHA256 as the PRF and AES-CTR as the cipher): the synthetic IV is HMAC(k_mac, sector, subject)
 * cut to 128 bits, so one user in one sector always gets one value and another sector another one, and the subject
 * is encrypted under k_enc with that IV as the counter block. The IV is the tag too: a value opens to a subject
 * without the sector being known (so that the user can be read together with the client, in one round trip), and
 * is authentic once sealing that subject for the client's sector gives the same value back.
 *
 * Both keys are derived with HKDF from PAIRWISE_SECRET, a secret of its own: rotating SESSION_SECRET must not change
 * every pairwise `sub`.
 */
export interface PairwiseCodec {
  seal(sector: string, subject: string): Promise<string>;
  /** The subject inside a value `seal` made, not authenticated yet; null when the value cannot be one. */
  open(value: string): Promise<string | null>;
}

const IV_BYTES = 16;
/** AES-CTR increments the low 64 bits of the counter block; subjects are a few blocks long. */
const COUNTER_BITS = 64;
/**
 * A sealed subject is longer than any subject (users' are 22 characters, src/admin/resources.ts), so a public `sub`
 * is never taken for one; what opens must look like a subject again.
 */
const SEALED = /^[A-Za-z0-9_-]{23,86}$/;
const SUBJECT = /^[A-Za-z0-9_-]{1,64}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// HKDF and the key imports once per isolate, keyed by the secret's text (like the signing keys).
let cached: { secret: string; codec: Promise<PairwiseCodec> } | undefined;

export function pairwiseCodec(secret: string): Promise<PairwiseCodec> {
  if (cached?.secret !== secret) cached = { secret, codec: newCodec(secret) };
  return cached.codec;
}

async function newCodec(secret: string): Promise<PairwiseCodec> {
  const master = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  const derive = (info: string, algorithm: SubtleCryptoImportKeyAlgorithm, usages: string[]) =>
    crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: encoder.encode(info) },
      master,
      algorithm,
      false,
      usages,
    );
  const [mac, enc] = await Promise.all([
    derive('edge-dcr pairwise sub: iv', { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign']),
    derive('edge-dcr pairwise sub: encryption', { name: 'AES-CTR', length: 256 }, ['encrypt', 'decrypt']),
  ]);
  const ctr = (iv: Uint8Array) => ({ name: 'AES-CTR', counter: iv, length: COUNTER_BITS });
  return {
    async seal(sector, subject) {
      const tag = await crypto.subtle.sign('HMAC', mac, encoder.encode(JSON.stringify([sector, subject])));
      const iv = new Uint8Array(tag).slice(0, IV_BYTES);
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt(ctr(iv), enc, encoder.encode(subject)));
      const sealed = new Uint8Array(IV_BYTES + ciphertext.byteLength);
      sealed.set(iv);
      sealed.set(ciphertext, IV_BYTES);
      return base64url(sealed);
    },
    async open(value) {
      if (!SEALED.test(value) || value.length % 4 === 1) return null;
      const bytes = fromBase64url(value);
      const plaintext = await crypto.subtle.decrypt(ctr(bytes.slice(0, IV_BYTES)), enc, bytes.slice(IV_BYTES));
      try {
        const subject = decoder.decode(plaintext);
        return SUBJECT.test(subject) ? subject : null;
      } catch {
        return null;
      }
    },
  };
}

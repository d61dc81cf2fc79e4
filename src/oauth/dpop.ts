import { EmbeddedJWK, calculateJwkThumbprint, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { base64url, sha256 } from '../tokens/secrets';
import type { DPoPNonces } from './dpop-nonces';
import type { OneTimeLedger, SingleUseValue } from '../ledger/client';

/**
 * DPoP proofs (RFC 9449 4): the checks of section 4.3 on one `DPoP` header, before any storage is asked. What is left
 * is the proof's single use, which its caller checks with the ledger alongside its own storage wave.
 */

/** Asymmetric algorithms workerd verifies (discovery's `dpop_signing_alg_values_supported`); never `none` or HMAC. */
export const DPOP_SIGNING_ALGS = ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'];

/** How old a proof's `iat` may be, and how far ahead of our clock. */
export const PROOF_MAX_AGE_SECONDS = 60;
export const PROOF_MAX_AHEAD_SECONDS = 5;

export type DPoPErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

/** Why a proof is refused; the token endpoint and protected resources answer it each in their own way. */
export class DPoPProofError extends Error {
  constructor(
    readonly code: DPoPErrorCode,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'DPoPProofError';
  }
}

const invalidProof = (description: string) => new DPoPProofError('invalid_dpop_proof', description);

export interface DPoPProof {
  /** The RFC 7638 thumbprint of the proof's key: what tokens are bound to (`cnf.jkt`). */
  jkt: string;
  jti: string;
  /** ms since epoch: the proof is refused anyway after this, so its `jti` need not be remembered longer. */
  expiresAt: number;
}

export interface ProofExpectations {
  method: string;
  /** The endpoint's URL as the issuer names it. */
  url: string;
  now: number;
  /** At a protected resource: the access token presented with the proof, which `ath` must hash. */
  accessToken?: string;
  nonces: DPoPNonces;
  /** Without a nonce a proof is refused with `use_dpop_nonce` (a stale one always is). */
  nonceRequired: boolean;
}

/** The value of the request's `DPoP` header, checked as RFC 9449 4.3 says; its `jti` is not yet spent. */
export async function verifyDPoPProof(header: string, expected: ProofExpectations): Promise<DPoPProof> {
  // Headers sent twice arrive joined by commas; a compact JWS has none.
  if (header.includes(',')) throw invalidProof('send exactly one DPoP header');
  const { payload, jwk } = await verifiedProof(header, expected.now);

  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalidProof('the DPoP proof needs a jti');
  if (htm !== expected.method) throw invalidProof(`the DPoP proof is for another method (htm must be "${expected.method}")`);
  if (typeof htu !== 'string' || !sameTarget(htu, expected.url))
    throw invalidProof(`the DPoP proof is for another URL (htu must be ${expected.url})`);
  if (typeof iat !== 'number') throw invalidProof('the DPoP proof needs an iat');
  const now = Math.floor(expected.now / 1000);
  if (iat < now - PROOF_MAX_AGE_SECONDS || iat > now + PROOF_MAX_AHEAD_SECONDS) {
    throw invalidProof(`the DPoP proof's iat is not within ${PROOF_MAX_AGE_SECONDS} s of the server's time`);
  }
  if (expected.accessToken !== undefined && payload.ath !== base64url(await sha256(expected.accessToken))) {
    throw invalidProof("the DPoP proof's ath is not the hash of the access token presented with it");
  }
  await checkNonce(payload.nonce, expected);
  return { jkt: await calculateJwkThumbprint(jwk), jti, expiresAt: (iat + PROOF_MAX_AGE_SECONDS) * 1000 };
}

/** The proof's payload and key, once jose has checked its `typ`, its `alg` and its signature by its own public `jwk`. */
async function verifiedProof(proof: string, now: number): Promise<{ payload: JWTPayload; jwk: JWK }> {
  try {
    // EmbeddedJWK refuses a jwk that is not a public key (a private or symmetric one) before any signature is checked.
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      algorithms: DPOP_SIGNING_ALGS,
      typ: 'dpop+jwt',
      currentDate: new Date(now),
    });
    return { payload, jwk: protectedHeader.jwk! };
  } catch (error) {
    if (error instanceof joseErrors.JOSEAlgNotAllowed)
      throw invalidProof(`the DPoP proof must be signed with one of ${DPOP_SIGNING_ALGS.join(', ')}`);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidProof('the DPoP proof is not signed by its jwk');
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
      throw invalidProof(`the DPoP proof is not valid (${(error as Error).message})`);
    }
    throw error;
  }
}

/** RFC 9449 4.3 item 9: the same URI, query and fragment aside (both parsed, so that equivalent spellings match). */
function sameTarget(htu: string, endpoint: string): boolean {
  let presented: URL;
  try {
    presented = new URL(htu);
  } catch {
    return false;
  }
  presented.search = '';
  presented.hash = '';
  return presented.href === new URL(endpoint).href;
}

async function checkNonce(nonce: unknown, expected: ProofExpectations): Promise<void> {
  if (nonce === undefined) {
    if (expected.nonceRequired) throw new DPoPProofError('use_dpop_nonce', 'the DPoP proof must carry the nonce of the DPoP-Nonce header');
    return;
  }
  if (typeof nonce !== 'string' || !(await expected.nonces.accepts(nonce))) {
    throw new DPoPProofError('use_dpop_nonce', "the DPoP proof's nonce is stale: use the one of the DPoP-Nonce header");
  }
}

/** The proof's single use (RFC 9449 11.1): per key, a `jti` counts once while the proof is valid. */
export const proofUse = (proof: DPoPProof): SingleUseValue => ({
  namespace: `dpop:${proof.jkt}`,
  value: proof.jti,
  expiresAt: proof.expiresAt,
});

export async function spendProof(ledger: Pick<OneTimeLedger, 'useOnce'>, proof: DPoPProof): Promise<void> {
  if ((await ledger.useOnce(proofUse(proof))) === 'replayed') throw replayedProof();
}

export const replayedProof = () => invalidProof('this DPoP proof was already used: make a new one for every request');

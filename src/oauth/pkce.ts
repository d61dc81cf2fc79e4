import { invalidRequest } from '../errors';

/** RFC 7636 with S256 only: `plain` would hand the verifier to anyone who sees the authorization request. */

/** An S256 challenge is the base64url SHA-256 of the verifier: exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 4.1: code-verifier = 43*128unreserved */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The challenge of an authorization request, or undefined when it has none. Bad parameters: `invalid_request`. */
export function codeChallengeOf(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw invalidRequest('code_challenge_method was given without code_challenge');
    return undefined;
  }
  if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(challenge)) throw invalidRequest('code_challenge must be 43 base64url characters');
  return challenge;
}

/** A malformed verifier is `invalid_request`, checked before the code is redeemed. */
export function requireWellFormedVerifier(verifier: string | undefined): void {
  if (verifier !== undefined && !VERIFIER.test(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  }
}

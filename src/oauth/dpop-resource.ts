import { OAuthError } from '../errors';
import type { AccessTokenClaims } from '../tokens/access-token';
import { DPOP_SIGNING_ALGS, DPoPProofError, verifyDPoPProof, type DPoPProof, type ProofExpectations } from './dpop';

/**
 * This server's own protected resources (userinfo, registration) called with an access token (RFC 9449 7): the
 * Bearer scheme for a token that is not bound, the DPoP scheme with a proof of its key for one that is. Refusals of a
 * DPoP request, and of a bound token, are DPoP challenges naming the algorithms a proof may use.
 */

export interface PresentedToken {
  scheme: 'Bearer' | 'DPoP';
  token: string;
}

const ALGS = `algs="${DPOP_SIGNING_ALGS.join(' ')}"`;

export function dpopChallenge(code: string, description: string, status = 401): OAuthError {
  const challenge = `DPoP realm="edge-dcr", error="${code}", error_description="${description.replace(/"/g, "'")}", ${ALGS}`;
  return new OAuthError(code, description, status, { 'WWW-Authenticate': challenge });
}

/** The Authorization header's token, by either scheme (RFC 6750 2.1, RFC 9449 7.1); without one, a 401 offering both. */
export function presentedToken(authorization: string | undefined): PresentedToken {
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  if (!match) {
    throw new OAuthError('invalid_token', 'an access token is required in the Authorization header (Bearer, or DPoP with a proof)', 401, {
      'WWW-Authenticate': `Bearer realm="edge-dcr", DPoP realm="edge-dcr", ${ALGS}`,
    });
  }
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2]! };
}

/** The proof a DPoP request must carry, for this token (`ath`); a Bearer request has none. Its `jti` is not yet spent. */
export async function resourceProof(
  presented: PresentedToken,
  dpopHeader: string | undefined,
  expected: Omit<ProofExpectations, 'accessToken'>,
): Promise<DPoPProof | null> {
  if (presented.scheme === 'Bearer') return null;
  if (dpopHeader === undefined) throw new DPoPProofError('invalid_dpop_proof', 'the DPoP scheme needs a DPoP proof header');
  return verifyDPoPProof(dpopHeader, { ...expected, accessToken: presented.token });
}

/** A bound token only with a proof of its key, a proof only with a bound token (RFC 9449 7.1 and 7.2). */
export function requireSenderConstraint(claims: Pick<AccessTokenClaims, 'cnf'>, proof: DPoPProof | null): void {
  const jkt = claims.cnf?.jkt;
  if (jkt === undefined) {
    if (proof) throw dpopChallenge('invalid_token', 'the access token is not DPoP-bound: present it as a Bearer token');
  } else if (!proof) {
    throw dpopChallenge('invalid_token', 'the access token is DPoP-bound: present it with the DPoP scheme and a proof of its key');
  } else if (proof.jkt !== jkt) {
    throw dpopChallenge('invalid_token', 'the DPoP proof is not signed by the key the access token is bound to');
  }
}

/**
 * A refusal as a protected resource tells it: a proof's as a DPoP challenge (401, RFC 9449 7.1), and with the DPoP
 * scheme every Bearer challenge becomes a DPoP one, parameters kept.
 */
export function asResourceRefusal(scheme: PresentedToken['scheme'], error: unknown): unknown {
  if (error instanceof DPoPProofError) return dpopChallenge(error.code, error.description);
  const challenge = error instanceof OAuthError ? error.headers['WWW-Authenticate'] : undefined;
  if (scheme === 'DPoP' && error instanceof OAuthError && challenge?.startsWith('Bearer ')) {
    const headers = { ...error.headers, 'WWW-Authenticate': `DPoP ${challenge.slice('Bearer '.length)}, ${ALGS}` };
    return new OAuthError(error.code, error.description, error.status, headers, error.cause);
  }
  return error;
}

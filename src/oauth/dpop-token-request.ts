import { OAuthError } from '../errors';
import type { OneTimeLedger } from '../ledger/client';
import type { Client } from './client';
import { DPoPProofError, spendProof, verifyDPoPProof, type DPoPProof, type ProofExpectations } from './dpop';

/**
 * DPoP at the token endpoint (RFC 9449 5): a request may carry a proof, whose key the tokens are then bound to. A
 * refused proof is a 400 with its RFC 9449 code (`invalid_dpop_proof`, or `use_dpop_nonce` to fetch the nonce first).
 */

const refusal = (error: unknown) => (error instanceof DPoPProofError ? new OAuthError(error.code, error.description) : error);

/** The request's proof, checked before any storage is asked (so a refused one costs nothing); null without one. */
export async function tokenRequestProof(
  header: string | undefined,
  expected: Omit<ProofExpectations, 'accessToken'>,
): Promise<DPoPProof | null> {
  if (header === undefined) return null;
  try {
    return await verifyDPoPProof(header, expected);
  } catch (error) {
    throw refusal(error);
  }
}

/**
 * The token request's client, authenticated while its proof is spent: one storage wave for both. A failed client
 * authentication is told first; the proof is spent either way, as any use spends it.
 */
export async function authenticatedWithProof<T>(ledger: OneTimeLedger, proof: DPoPProof | null, authenticate: Promise<T>): Promise<T> {
  const [authenticated, spent] = await Promise.allSettled([authenticate, proof && spendProof(ledger, proof)]);
  if (authenticated.status === 'rejected') throw authenticated.reason;
  if (spent.status === 'rejected') throw refusal(spent.reason);
  return authenticated.value;
}

/** RFC 9449 5.2: a client registered with `dpop_bound_access_tokens` gets no token without a proof. */
export function requireProofWhereDemanded(client: Pick<Client, 'dpopBoundAccessTokens'>, proof: DPoPProof | null): void {
  if (client.dpopBoundAccessTokens && !proof) {
    throw new OAuthError('invalid_dpop_proof', 'this client must send a DPoP proof with every token request (dpop_bound_access_tokens)');
  }
}

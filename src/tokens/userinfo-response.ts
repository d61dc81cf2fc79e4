import { SignJWT } from 'jose';
import type { KeySet, SigningAlg } from './keys';

/**
 * OpenID Connect Core 5.3.2: userinfo as a JWT signed with the key of the algorithm the client registered, with `iss`
 * (this server) and `aud` (the client) besides the claims.
 */
export async function signedUserinfo(
  keys: KeySet,
  input: { issuer: string; clientId: string; alg: SigningAlg; claims: Record<string, unknown>; now: number },
): Promise<string> {
  const signer = keys.signer(input.alg);
  return new SignJWT({ ...input.claims, iss: input.issuer, aud: input.clientId, iat: Math.floor(input.now / 1000) })
    .setProtectedHeader({ alg: input.alg, typ: 'JWT', kid: signer.kid })
    .sign(signer.privateKey);
}

import { SignJWT } from 'jose';
import type { KeySet, SigningAlg } from './keys';
import { base64url, sha256 } from './secrets';

/** OpenID Connect Core 2 and 3.1.3.6: the ID token, signed with the algorithm the client's metadata names. */
export interface IdTokenInput {
  issuer: string;
  clientId: string;
  sub: string;
  alg: SigningAlg;
  ttlSeconds: number;
  now: number;
  /** Seconds since epoch. */
  authTime: number;
  acr: string;
  /** RFC 8176 methods of the authentication (OpenID Connect Core 2). */
  amr: string[];
  /** The user's claims the claims parameter asked for in the ID token (OpenID Connect Core 5.5). */
  claims?: Record<string, unknown>;
  /** Only on the code exchange: a refreshed ID token carries no nonce (OpenID Connect Core 12.2). */
  nonce?: string;
  accessToken: string;
}

export async function issueIdToken(keys: KeySet, input: IdTokenInput): Promise<string> {
  const iat = Math.floor(input.now / 1000);
  const signer = keys.signer(input.alg);
  return new SignJWT({
    ...input.claims,
    iss: input.issuer,
    sub: input.sub,
    aud: input.clientId,
    azp: input.clientId,
    iat,
    exp: iat + input.ttlSeconds,
    auth_time: input.authTime,
    acr: input.acr,
    ...(input.amr.length ? { amr: input.amr } : {}),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    at_hash: await accessTokenHash(input.accessToken),
  })
    .setProtectedHeader({ alg: input.alg, typ: 'JWT', kid: signer.kid })
    .sign(signer.privateKey);
}

/** The left half of the access token's SHA-256 (both RS256 and ES256 use SHA-256), base64url. */
async function accessTokenHash(accessToken: string): Promise<string> {
  return base64url((await sha256(accessToken)).slice(0, 16));
}

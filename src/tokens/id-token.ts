import { SignJWT, compactVerify } from 'jose';
import { SIGNING_ALGS, type KeySet, type SigningAlg } from './keys';
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

/** What an `id_token_hint` says, once it is known to be one of our ID tokens. */
export interface IdTokenHint {
  sub: string;
  /** The client it was issued to. */
  aud: string;
}

/**
 * An ID token this server issued (OpenID Connect RP-Initiated Logout 1.0, `id_token_hint`): signed by one of our keys,
 * typed as an ID token (access tokens are `at+jwt`), and ours by its issuer. Its expiry does not matter: a user may
 * sign out long after signing in. Null for anything else.
 */
export async function verifiedIdTokenHint(keys: KeySet, issuer: string, token: string): Promise<IdTokenHint | null> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(
      token,
      ({ kid, alg }) => {
        const key = kid === undefined ? undefined : keys.byKid(kid);
        if (key?.alg !== alg) throw new Error('not one of our keys');
        return key.publicKey;
      },
      { algorithms: [...SIGNING_ALGS] },
    );
  } catch {
    return null;
  }
  if (verified.protectedHeader.typ !== 'JWT') return null;
  // Signed by one of our keys, so a JSON object we made.
  const { iss, sub, aud } = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  if (iss !== issuer || typeof sub !== 'string' || typeof aud !== 'string') return null;
  return { sub, aud };
}

import { importJWK, type JWK, type CryptoKey } from 'jose';

export type SigningAlg = 'RS256' | 'ES256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256'];

interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface KeySet {
  /** The key that signs with `alg` (the first of that alg in SIGNING_KEYS). */
  signer(alg: SigningAlg): LoadedKey;
  /** Key by `kid`, for verifying our own tokens; older keys stay here during rotation. */
  byKid(kid: string): LoadedKey | undefined;
  /** The public JWK Set, served at the JWKS endpoint. */
  jwks: { keys: JWK[] };
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

// Importing an RSA key costs milliseconds: do it once per isolate, keyed by the secret's text.
let cached: { source: string; keys: Promise<KeySet> } | undefined;

export function loadKeySet(signingKeysJson: string): Promise<KeySet> {
  if (cached?.source !== signingKeysJson) {
    const keys = importKeySet(signingKeysJson);
    cached = { source: signingKeysJson, keys };
    keys.catch(() => (cached = undefined));
  }
  return cached.keys;
}

async function importKeySet(signingKeysJson: string): Promise<KeySet> {
  let jwks: unknown;
  try {
    jwks = JSON.parse(signingKeysJson);
  } catch {
    throw new Error('SIGNING_KEYS is not JSON');
  }
  if (!Array.isArray(jwks) || jwks.length === 0) throw new Error('SIGNING_KEYS must be a non-empty JSON array of JWKs');
  const loaded = await Promise.all(
    (jwks as JWK[]).map(async (jwk): Promise<LoadedKey> => {
      const alg = jwk.alg as SigningAlg;
      if (!SIGNING_ALGS.includes(alg) || typeof jwk.kid !== 'string' || !jwk.d) {
        throw new Error('each SIGNING_KEYS entry needs a private key, a kid and alg RS256 or ES256');
      }
      const publicJwk: JWK = Object.fromEntries(
        Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.includes(member) && member !== 'key_ops'),
      );
      publicJwk.use = 'sig';
      let privateKey: CryptoKey;
      let publicKey: CryptoKey;
      try {
        [privateKey, publicKey] = (await Promise.all([importJWK(jwk, alg), importJWK(publicJwk, alg)])) as [CryptoKey, CryptoKey];
      } catch (error) {
        throw new Error(`SIGNING_KEYS: the key ${jwk.kid} cannot be imported (${(error as Error).message})`);
      }
      return { kid: jwk.kid, alg, privateKey, publicKey, publicJwk };
    }),
  );
  const missing = SIGNING_ALGS.filter((alg) => !loaded.some((key) => key.alg === alg));
  if (missing.length) throw new Error(`SIGNING_KEYS has no ${missing.join(' or ')} key: npm run keys -- rotate adds one`);
  const byKid = new Map(loaded.map((key) => [key.kid, key]));
  return {
    signer(alg) {
      const key = loaded.find((k) => k.alg === alg);
      if (!key) throw new Error(`no ${alg} key in SIGNING_KEYS`);
      return key;
    },
    byKid: (kid) => byKid.get(kid),
    jwks: { keys: loaded.map((k) => k.publicJwk) },
  };
}

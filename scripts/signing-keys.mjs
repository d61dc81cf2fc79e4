import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** One private JWK with `alg` and a random `kid`: RS256 (2048-bit RSA) or ES256 (P-256). */
export function generateSigningKey(alg) {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : undefined;
  if (!pair) throw new Error(`cannot make a ${alg} key: RS256 or ES256`);
  return { ...pair.privateKey.export({ format: 'jwk' }), alg, kid: randomBytes(8).toString('hex') };
}

/** A fresh SIGNING_KEYS value: one RS256 (2048-bit) and one ES256 private JWK, each with a kid. */
export function generateSigningKeys() {
  return JSON.stringify([generateSigningKey('RS256'), generateSigningKey('ES256')]);
}

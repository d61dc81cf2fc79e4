import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** A fresh SIGNING_KEYS value: one RS256 (2048-bit) and one ES256 private JWK, each with a kid. */
export function generateSigningKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const kid = () => randomBytes(8).toString('hex');
  return JSON.stringify([
    { ...rsa, alg: 'RS256', kid: kid() },
    { ...ec, alg: 'ES256', kid: kid() },
  ]);
}

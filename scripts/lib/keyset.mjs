// SIGNING_KEYS as the operator scripts change it: a JSON array of private JWKs, each with `alg` and `kid`. The
// Worker signs with the first key of each alg and publishes all of them (src/tokens/keys.ts), so rotating puts a new
// key first and keeps the old one for verification until it is retired. Plain functions, no Node APIs: the
// Workers-runtime test of rotation (test/key-rotation.test.ts) uses them too.

export const SIGNING_ALGS = ['RS256', 'ES256'];

export class KeySetError extends Error {}

/** kid of the key that signs for each alg. */
export function signers(keys) {
  const byAlg = {};
  for (const key of keys) byAlg[key.alg] ??= key.kid;
  return byAlg;
}

/** The set with `fresh` keys in front: each becomes the signer of its alg, every older key stays published. */
export function rotate(keys, fresh) {
  const kids = new Set(keys.map((k) => k.kid));
  for (const key of fresh) {
    if (!SIGNING_ALGS.includes(key.alg)) throw new KeySetError(`alg ${key.alg} is not one of ${SIGNING_ALGS.join(', ')}`);
    if (kids.has(key.kid)) throw new KeySetError(`kid ${key.kid} is in the set already`);
    kids.add(key.kid);
  }
  return [...fresh, ...keys];
}

/** The set without `kid`. A key that signs cannot go: rotate first, so that its alg keeps a signer. */
export function retire(keys, kid) {
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new KeySetError(`no key ${kid} in SIGNING_KEYS (kids: ${keys.map((k) => k.kid).join(', ')})`);
  if (signers(keys)[key.alg] === kid) {
    const only = keys.filter((k) => k.alg === key.alg).length === 1;
    throw new KeySetError(
      `${kid} is the ${key.alg} signer${only ? ` and the only ${key.alg} key` : ''}: run \`npm run keys -- rotate --alg ${key.alg}\` first, then retire it once the tokens it signed have expired`,
    );
  }
  return keys.filter((k) => k.kid !== kid);
}

import { BoundedMap } from '../bounded-map';
import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
  type JWTVerifyResult,
} from 'jose';
import { CLIENT_SIGNING_ALGS, type ClientKeys, type PublicJwkSet } from '../model';
import { hostProblem } from '../dcr/metadata-document-url';
import { OutboundDocumentError, type DocumentKind, type OutboundDocuments } from '../outbound/documents';

/**
 * A client's own keys, the one way to check what it signed: its client assertions (src/oauth/client-assertion.ts) and
 * its request objects (src/oauth/request-object.ts). They are registered as `jwks` (stored with the client) or
 * `jwks_uri` (a JWK Set the client publishes, fetched through src/outbound/documents.ts: https on a public host, 50 KB,
 * cached; fetched anew at most once a minute when no key matches, as after a rotation).
 */

/** Clock skew allowed between a client and this server for `exp` and `nbf` (OpenID Connect Core 9 asks for some). */
export const CLOCK_TOLERANCE_SECONDS = 15;
const MAX_KEYS = 20;
const MAX_URL_LENGTH = 2048;
/** Members only a private or symmetric key has (RFC 7518 6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** What each key type needs, and the curves we verify with. */
const KEY_TYPES: Record<string, { members: string[]; crv?: string }> = {
  RSA: { members: ['n', 'e'] },
  EC: { members: ['x', 'y'], crv: 'P-256' },
  OKP: { members: ['x'], crv: 'Ed25519' },
};

/** A JWK Set published at a `jwks_uri`: a few keys, small. */
export const JWKS_URI_DOCUMENT: DocumentKind = {
  name: 'the jwks_uri document',
  maxBytes: 50 * 1024,
  urlProblem: jwksUriProblem,
  // Anyone may register a jwks_uri: a URL that does not answer is not tried again at every request naming it.
  failureMemorySeconds: 60,
};

/** Why `value` is not a JWK Set of public signature keys we can verify with, or null when it is. */
export function jwksProblem(value: unknown): string | null {
  if (!isObject(value) || !Array.isArray(value.keys)) return 'must be a JWK Set: an object with a "keys" array';
  if (value.keys.length === 0 || value.keys.length > MAX_KEYS) return `must hold 1 to ${MAX_KEYS} keys`;
  for (const [index, key] of value.keys.entries()) {
    const problem = keyProblem(key);
    if (problem) return `keys.${index}: ${problem}`;
  }
  return null;
}

function keyProblem(key: unknown): string | null {
  if (!isObject(key)) return 'must be a JWK (an object)';
  if (PRIVATE_MEMBERS.some((member) => member in key)) return 'must be a public key: private or symmetric key members are not accepted';
  const type = typeof key.kty === 'string' && Object.hasOwn(KEY_TYPES, key.kty) ? KEY_TYPES[key.kty]! : null;
  if (!type) return `kty must be one of ${Object.keys(KEY_TYPES).join(', ')}`;
  const missing = type.members.find((member) => typeof key[member] !== 'string');
  if (missing !== undefined) return `a ${key.kty} key needs "${missing}"`;
  if (type.crv !== undefined && key.crv !== type.crv) return `a ${key.kty} key must be on curve ${type.crv}`;
  if (key.kid !== undefined && typeof key.kid !== 'string') return 'kid must be a string';
  if (key.use !== undefined && key.use !== 'sig') return 'use must be "sig": the keys verify signatures';
  if (key.alg !== undefined && !CLIENT_SIGNING_ALGS.includes(key.alg as never))
    return `alg must be one of ${CLIENT_SIGNING_ALGS.join(', ')}`;
  return null;
}

/** Why `value` cannot be a `jwks_uri`, or null when it can: https, no user information or fragment, a public host. */
export function jwksUriProblem(value: string): string | null {
  if (value.length > MAX_URL_LENGTH || !URL.canParse(value)) return 'must be an absolute URL';
  const url = new URL(value);
  if (url.protocol !== 'https:') return 'must be https';
  if (url.username !== '' || url.password !== '' || value.includes('#')) return 'must not contain user information or a fragment';
  return hostProblem(url.hostname);
}

/** Why a client's JWT does not verify, in words for the client. */
export class ClientJwtError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'ClientJwtError';
  }
}

export interface ClientKeyDeps {
  documents: OutboundDocuments;
  now: number;
}

/** Whether the client registered keys, so that it can sign at all. */
export const hasKeys = (keys: ClientKeys) => keys.jwks !== undefined || keys.jwks_uri !== undefined;

/**
 * The JWT's claims once its signature verifies with one of the client's keys and `options` hold (jose checks `exp`
 * and `nbf` when present, within CLOCK_TOLERANCE_SECONDS, and what the options require); anything else is a
 * ClientJwtError. The algorithms are the caller's: only asymmetric ones, so that nothing verifies with a shared
 * secret or none.
 */
export async function verifyClientJwt(
  deps: ClientKeyDeps,
  client: { keys: ClientKeys },
  jwt: string,
  options: Omit<JWTVerifyOptions, 'algorithms'> & { algorithms: readonly string[] },
): Promise<JWTVerifyResult<JWTPayload> & { protectedHeader: JWTHeaderParameters }> {
  const { jwks, jwks_uri: uri } = client.keys;
  const verifyOptions = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...options,
    algorithms: [...options.algorithms],
    currentDate: new Date(deps.now),
  };
  if (jwks) return verifyWith(jwt, jwks, verifyOptions);
  if (uri === undefined) throw new ClientJwtError('the client has registered no keys (jwks or jwks_uri)');
  try {
    return await verifyWith(jwt, await publishedKeys(deps.documents.get(JWKS_URI_DOCUMENT, uri, deps.now)), verifyOptions);
  } catch (error) {
    if (!(error instanceof NoMatchingKey)) throw error;
  }
  // No key matches: the client may have rotated its keys since this isolate read them.
  return verifyWith(jwt, await publishedKeys(deps.documents.refetch(JWKS_URI_DOCUMENT, uri, deps.now)), verifyOptions);
}

async function publishedKeys(document: Promise<unknown>): Promise<PublicJwkSet> {
  let jwks: unknown;
  try {
    jwks = await document;
  } catch (error) {
    if (error instanceof OutboundDocumentError) throw new ClientJwtError(error.description);
    throw error;
  }
  const problem = jwksProblem(jwks);
  if (problem) throw new ClientJwtError(`the jwks_uri document ${problem}`);
  return jwks as PublicJwkSet;
}

class NoMatchingKey extends ClientJwtError {}

/** An Ed25519 key registered for `EdDSA` verifies `Ed25519` too and the other way round: two names of one algorithm (RFC 9864). */
const withEd25519Names = (jwks: PublicJwkSet): PublicJwkSet => ({
  keys: jwks.keys.map(({ alg, ...key }) => (key.crv === 'Ed25519' && (alg === 'EdDSA' || alg === 'Ed25519') ? key : { ...key, alg })),
});

/**
 * Key sets by their JSON text, kept per isolate: jose imports a key once per key set object, so a set made anew at
 * each request would import its key at each request.
 */
const keySets = new BoundedMap<ReturnType<typeof createLocalJWKSet>>(1_000);

function localKeySet(jwks: PublicJwkSet) {
  const text = JSON.stringify(jwks);
  let keys = keySets.get(text);
  if (!keys) {
    keys = createLocalJWKSet(withEd25519Names(jwks) as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(text, keys);
  }
  return keys;
}

async function verifyWith(jwt: string, jwks: PublicJwkSet, options: JWTVerifyOptions) {
  const keys = localKeySet(jwks);
  try {
    return await jwtVerify(jwt, keys, options);
  } catch (error) {
    // Several keys fit (no kid, or a kid used twice): the first that verifies (jose's documented way).
    if (error instanceof errors.JWKSMultipleMatchingKeys) return verifyWithEach(jwt, error, options);
    throw clientJwtError(error);
  }
}

async function verifyWithEach(jwt: string, candidates: errors.JWKSMultipleMatchingKeys, options: JWTVerifyOptions) {
  let last: unknown = new errors.JWSSignatureVerificationFailed();
  for await (const key of candidates as unknown as AsyncIterable<CryptoKey>) {
    try {
      return await jwtVerify(jwt, key, options);
    } catch (error) {
      last = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw clientJwtError(last);
}

/**
 * jose's verdict in the client's terms. The JWT and the keys are both the client's, so whatever stops verification
 * (a key that does not import, an RSA key under 2048 bits) is the client's problem, never a server error.
 */
function clientJwtError(error: unknown): ClientJwtError {
  if (error instanceof errors.JWKSNoMatchingKey) return new NoMatchingKey('no key of the client matches the JWT (its kid and alg)');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new ClientJwtError('the signature does not verify with the client’s keys');
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
    return new ClientJwtError(`the JWT's claims do not hold: ${error.message}`);
  }
  return new ClientJwtError(`the JWT cannot be verified with the client’s keys: ${error instanceof Error ? error.message : String(error)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

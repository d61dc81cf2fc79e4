import { hmacHex, secretsEqual } from '../tokens/secrets';

/**
 * The login and consent forms post the authorization parameters back as hidden fields. For a pushed request they
 * carry this proof as well: an HMAC (SESSION_SECRET) over those parameters and an expiry, so that a client that must
 * push (RFC 9126 6) passes on the form's POST too, and a form whose fields were changed does not pass as pushed.
 */
export const PUSHED_PROOF_FIELD = 'pushed_proof';

/** As long as a sign-in page may sit open before it is submitted. */
const PROOF_TTL_SECONDS = 3600;

type Fields = ReadonlyArray<readonly [string, string]>;

const mac = (secret: string, expiresAt: number, fields: Fields) =>
  hmacHex(secret, `pushed authorization request\n${expiresAt}\n${new URLSearchParams(fields.map(([n, v]) => [n, v]))}`);

export async function pushedProof(secret: string, fields: Fields, nowMs: number): Promise<string> {
  const expiresAt = Math.floor(nowMs / 1000) + PROOF_TTL_SECONDS;
  return `${expiresAt}.${await mac(secret, expiresAt, fields)}`;
}

/** Whether `proof` was made by pushedProof for exactly these fields and has not expired. */
export async function provesPushed(secret: string, proof: string | undefined, fields: Fields, nowMs: number): Promise<boolean> {
  const match = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(proof ?? '');
  if (!match) return false;
  const expiresAt = Number(match[1]);
  return expiresAt * 1000 > nowMs && secretsEqual(match[2]!, await mac(secret, expiresAt, fields));
}

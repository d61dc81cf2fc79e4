import { invalidClientMetadata } from '../errors';
import { CLIENT_SIGNING_ALGS, type ClientAuthMethod, type ClientKeys, type InstanceChoices, type PublicJwkSet } from '../model';
import { hasKeys, jwksProblem, jwksUriProblem } from '../oauth/client-keys';

/**
 * A registering client's own keys (RFC 7591 2: `jwks` or `jwks_uri`, not both; OpenID Connect Dynamic Client
 * Registration 2: `token_endpoint_auth_signing_alg`, `request_object_signing_alg`), for instances and dynamic clients
 * alike. They are the client's, not the template's: an instance chooses them as it chooses its name.
 */

const ALG_FIELDS = ['token_endpoint_auth_signing_alg', 'request_object_signing_alg'] as const;

export function keysFrom(metadata: Record<string, unknown>): ClientKeys {
  const { jwks, jwks_uri } = metadata;
  const keys: ClientKeys = {};
  if (jwks !== undefined && jwks_uri !== undefined) throw invalidClientMetadata('send jwks or jwks_uri, not both');
  if (jwks !== undefined) {
    const problem = jwksProblem(jwks);
    if (problem) throw invalidClientMetadata(`jwks ${problem}`);
    keys.jwks = jwks as PublicJwkSet;
  }
  if (jwks_uri !== undefined) {
    const problem = typeof jwks_uri === 'string' ? jwksUriProblem(jwks_uri) : 'must be a string';
    if (problem) throw invalidClientMetadata(`jwks_uri ${problem}`);
    keys.jwks_uri = jwks_uri as string;
  }
  for (const field of ALG_FIELDS) {
    const alg = metadata[field];
    if (alg === undefined) continue;
    if (!CLIENT_SIGNING_ALGS.includes(alg as never))
      throw invalidClientMetadata(`${field} must be one of ${CLIENT_SIGNING_ALGS.join(', ')}`);
    keys[field] = alg as (typeof CLIENT_SIGNING_ALGS)[number];
  }
  return keys;
}

/** A client that authenticates with `private_key_jwt` has registered the keys its assertions are checked with. */
export function requireKeysFor(method: ClientAuthMethod | undefined, keys: ClientKeys): void {
  if (method === 'private_key_jwt' && !hasKeys(keys)) {
    throw invalidClientMetadata('token_endpoint_auth_method "private_key_jwt" needs jwks or jwks_uri');
  }
}

/**
 * An instance whose method (its own choice, else `method`) is `private_key_jwt`, with that recorded: without a
 * secret, the recorded method is what tells it from a public instance (src/oauth/client.ts, credentialOf).
 */
export function withKeysMethod(choices: InstanceChoices, method: ClientAuthMethod | undefined): InstanceChoices {
  const chosen = choices.token_endpoint_auth_method ?? method;
  requireKeysFor(chosen, choices);
  return chosen === 'private_key_jwt' ? { ...choices, token_endpoint_auth_method: chosen } : choices;
}

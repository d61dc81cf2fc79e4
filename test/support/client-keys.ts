import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { registerWith, requestIat, setUpTemplate, type Fetch } from '../helpers';
import type { Instance } from '../flow-helpers';

/** A client's key pair as the client holds it: the private key signs, the public JWK is what it registers. */
export interface ClientKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg = 'ES256', kid: string = crypto.randomUUID()): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const jwksOf = (...keys: ClientKey[]) => ({ keys: keys.map((key) => key.publicJwk) });

/** A JWT signed with `key`; the header names its alg and kid unless `header` says otherwise. */
export const signed = (key: ClientKey, claims: JWTPayload, header: Partial<JWTHeaderParameters> = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);

/** What a client assertion says (RFC 7523 3) for `clientId` to `aud`, living a minute from `at`; `overrides` change it. */
export function assertionClaims(clientId: string, aud: string | string[], overrides: JWTPayload = {}, at = Date.now()): JWTPayload {
  const now = Math.floor(at / 1000);
  return { iss: clientId, sub: clientId, aud, jti: crypto.randomUUID(), iat: now, exp: now + 60, ...overrides };
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The form fields of private_key_jwt client authentication. */
export const assertionFields = (assertion: string) => ({ client_assertion_type: JWT_BEARER, client_assertion: assertion });

/** An instance of a fresh template that allows private_key_jwt, registered with `key`'s public JWK as its jwks. */
export async function keysInstance(
  fetch: Fetch,
  key: ClientKey,
  template: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): Promise<Instance & { registration: Record<string, any> }> {
  const { registrar, templateName } = await setUpTemplate(fetch, {
    capabilities: ['code', 'client_credentials', 'refresh'],
    token_endpoint_auth_methods: ['client_secret_basic', 'private_key_jwt'],
    ...template,
  });
  const res = await registerWith(fetch, await requestIat(fetch, registrar), {
    software_id: templateName,
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: jwksOf(key),
    ...metadata,
  });
  expect(res.status).toBe(201);
  const registration = (await res.json()) as Record<string, any>;
  return { clientId: registration.client_id, secret: '', templateName, registrar, registration };
}

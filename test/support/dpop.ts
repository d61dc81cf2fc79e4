import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { expect } from 'vitest';
import { ORIGIN, type Fetch } from '../helpers';

/** DPoP proofs made by hand, as a client would (RFC 9449 4.2), with every field open to a test that breaks one. */

export const TOKEN_URL = `${ORIGIN}/oauth/v2/oauth-token`;
export const USERINFO_URL = `${ORIGIN}/oauth/v2/oauth-userinfo`;
export const REGISTRATION_URL = `${ORIGIN}/oauth/v2/oauth-dynamic-client-registration`;

export interface DPoPKey {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint: what a bound token names in `cnf.jkt`. */
  jkt: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DPoPKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofFields {
  htm?: string;
  htu?: string;
  nonce?: string;
  /** Seconds since epoch; now by default. */
  iat?: number;
  jti?: string;
  /** The access token the proof goes with: its `ath`. */
  accessToken?: string;
  /** Replaces the protected header's members (typ, alg, jwk). */
  header?: Record<string, unknown>;
  /** Removes payload members. */
  without?: string[];
}

export const base64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export async function proof(key: DPoPKey, fields: ProofFields = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: fields.jti ?? crypto.randomUUID(),
    htm: fields.htm ?? 'POST',
    htu: fields.htu ?? TOKEN_URL,
    iat: fields.iat ?? Math.floor(Date.now() / 1000),
    ...(fields.nonce === undefined ? {} : { nonce: fields.nonce }),
    ...(fields.accessToken === undefined
      ? {}
      : { ath: base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(fields.accessToken))) }),
  };
  for (const member of fields.without ?? []) delete payload[member];
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...fields.header } as never)
    .sign(key.privateKey);
}

/** The nonce the server hands out now: what a proof without one is answered with (RFC 9449 8). */
export async function currentNonce(fetch: Fetch, key: DPoPKey, iat?: number): Promise<string> {
  const res = await fetch(TOKEN_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: await proof(key, iat === undefined ? {} : { iat }) },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toBe('use_dpop_nonce');
  return res.headers.get('DPoP-Nonce')!;
}

/** The claims of one of our JWTs, unverified (the tests compare them with what the server should have put in). */
export const claimsOf = (jwt: string) => JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, any>;

/** A compact JWS of `header` and `payload` signed by an ES256 key, whatever alg the header claims. */
export async function es256Jws(key: DPoPKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const encode = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer);
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url(signature)}`;
}

import { insufficientScope, invalidToken, serverError } from '../oauth/errors';
import { DCR_SCOPE } from '../oauth/scopes';
import type { OneTimeLedger } from '../ledger/client';
import type { KeySet } from '../tokens/keys';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/access-token';
import { randomToken, sha256Hex } from '../tokens/secrets';
import { IatAlreadyUsedError, insertRegisteredClient, type RegisteredClient } from '../storage/clients';

/**
 * The steps every registration shares (RFC 7591 with an initial access token). Everything that can be refused
 * is checked before the IAT is spent, so a rejected request leaves the IAT usable; once spent it stays spent,
 * whatever happens next. The ledger gives one consumer per IAT, and the UNIQUE `created_by_iat` column backs
 * it: at most one client per IAT, ever.
 */

export interface RegistrationDeps {
  db: D1Database;
  keys: KeySet;
  ledger: OneTimeLedger;
  issuer: string;
  now: number;
}

/** A valid, unexpired access token with the `dcr` scope; not yet spent. */
export async function acceptInitialAccessToken(deps: RegistrationDeps, token: string): Promise<AccessTokenClaims> {
  const iat = await verifyAccessToken(deps.keys, token, { issuer: deps.issuer, now: deps.now });
  if (!iat.scope.split(' ').includes(DCR_SCOPE)) {
    throw insufficientScope(`registration needs an initial access token with scope "${DCR_SCOPE}"`, DCR_SCOPE);
  }
  return iat;
}

export interface NewCredentials {
  clientId: string;
  clientSecret: string | null;
  registrationAccessToken: string;
  stored: { clientId: string; secretHash: string | null; registrationTokenHash: string };
}

/** 256-bit secrets; a public client gets no secret. Only hashes are stored. */
export async function newCredentials(confidential: boolean): Promise<NewCredentials> {
  const clientId = randomToken(24);
  const clientSecret = confidential ? randomToken(32) : null;
  const registrationAccessToken = randomToken(32);
  return {
    clientId,
    clientSecret,
    registrationAccessToken,
    stored: {
      clientId,
      secretHash: clientSecret === null ? null : await sha256Hex(clientSecret),
      registrationTokenHash: await sha256Hex(registrationAccessToken),
    },
  };
}

/** Spends the IAT, then stores the client in one INSERT. */
export async function commitRegistration(deps: RegistrationDeps, iat: AccessTokenClaims, client: RegisteredClient): Promise<void> {
  if (!(await deps.ledger.consume(`iat:${iat.jti}`, deps.now, iat.exp * 1000))) {
    throw invalidToken('the initial access token has already been used');
  }
  try {
    await insertRegisteredClient(deps.db, client);
  } catch (error) {
    if (error instanceof IatAlreadyUsedError) throw invalidToken('the initial access token has already been used');
    console.error('storing a registered client failed', error);
    throw serverError('the client could not be stored; the initial access token is spent, request a new one');
  }
}

/** The credentials part of a registration answer (RFC 7591 3.2.1). */
export const issuedCredentials = (credentials: NewCredentials) => ({
  ...(credentials.clientSecret === null ? {} : { client_secret: credentials.clientSecret, client_secret_expires_at: 0 }),
  registration_access_token: credentials.registrationAccessToken,
});

import { insufficientScope, invalidToken, serverError } from '../errors';
import { DCR_SCOPE } from '../oauth/scopes';
import type { OneTimeLedger } from '../ledger/client';
import type { Store, RegisteredInsert } from '../store/store';
import type { RegisteredClient } from '../model';
import type { KeySet } from '../tokens/keys';
import { issuedForUser, verifyAccessToken, type AccessTokenClaims } from '../tokens/access-token';
import type { AuditRecorder } from '../audit/recorder';
import type { Limits } from '../limits/rate-limits';
import { randomToken, sha256Hex } from '../tokens/secrets';
import type { OutboundDocuments } from '../outbound/documents';
import { proofUse, replayedProof, type DPoPProof } from '../oauth/dpop';
import { requireSenderConstraint } from '../oauth/dpop-resource';

/**
 * The steps every registration shares (RFC 7591 with an initial access token). Everything that can be refused is
 * checked before the IAT is spent, so a rejected request leaves the IAT usable; once spent it stays spent, whatever
 * happens next. The ledger gives one consumer per IAT, and the UNIQUE `created_by_iat` column backs it: at most one
 * client per IAT, ever.
 */

export interface RegistrationDeps {
  store: Store;
  keys: KeySet;
  ledger: OneTimeLedger;
  issuer: string;
  now: number;
  audit: AuditRecorder;
  limits: Limits;
  /** For sector_identifier_uri documents (src/dcr/subject-metadata.ts). */
  documents: OutboundDocuments;
}

/** How the IAT was presented: the token and, for a DPoP-bound one, the proof of its key (its `jti` not yet spent). */
export interface PresentedIat {
  initialAccessToken: string;
  proof: DPoPProof | null;
}

/** A valid, unexpired access token with the `dcr` scope, presented as its binding asks; not yet spent. */
export async function acceptInitialAccessToken(deps: RegistrationDeps, presented: PresentedIat): Promise<AccessTokenClaims> {
  const iat = await verifyAccessToken(deps.keys, presented.initialAccessToken, {
    issuer: deps.issuer,
    now: deps.now,
    audience: deps.issuer,
  });
  requireSenderConstraint(iat, presented.proof);
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

/**
 * Registrations per registrar (the IAT's client, or the user it was issued to) and per template: counted before the
 * IAT is spent, so that a refused registration leaves it usable.
 */
export async function enforceRegistrationLimits(deps: RegistrationDeps, iat: AccessTokenClaims, template: string | null): Promise<void> {
  const byUser = issuedForUser(iat);
  const about = { clientId: iat.client_id, subject: byUser ? iat.sub : null, template };
  const registrar = byUser ? `user:${iat.sub}` : `client:${iat.client_id}`;
  await Promise.all([
    deps.limits.enforce('registration_registrar', registrar, 'registrations by this registrar', about),
    template === null ? null : deps.limits.enforce('registration_template', template, `registrations of template "${template}"`, about),
  ]);
}

/**
 * Spends the IAT in its ledger shard, with the DPoP proof it came with. A revoked IAT (its grant revoked through
 * RFC 7009, or the user's grant behind a users-mode token) and a replayed proof are refused there and spend nothing.
 */
export async function spendInitialAccessToken(deps: RegistrationDeps, iat: AccessTokenClaims, proof: DPoPProof | null): Promise<void> {
  const outcome = await deps.ledger.consumeInitialAccessToken({
    jti: iat.jti,
    grantId: iat.fid,
    now: deps.now,
    expiresAt: iat.exp * 1000,
    ...(proof ? { proof: proofUse(proof) } : {}),
  });
  if (outcome === 'revoked') throw invalidToken('the initial access token has been revoked');
  if (outcome === 'used') throw invalidToken('the initial access token has already been used');
  if (outcome === 'proof-replayed') throw replayedProof();
  deps.audit.record('initial_access_token.consumed', {
    clientId: iat.client_id,
    subject: issuedForUser(iat) ? iat.sub : null,
    details: { jti: iat.jti },
  });
}

/** Stores the client (one INSERT, all or nothing); the IAT was spent before. */
export async function storeRegisteredClient(
  deps: RegistrationDeps,
  client: RegisteredClient,
  templateVersion: number | null,
): Promise<Exclude<RegisteredInsert, 'iat-used'>> {
  let outcome: RegisteredInsert;
  try {
    outcome = await deps.store.clients.insertRegistered(client, templateVersion);
  } catch (error) {
    throw serverError('the client could not be stored; the initial access token is spent, request a new one', error);
  }
  if (outcome === 'iat-used') throw invalidToken('the initial access token has already been used');
  if (outcome === 'inserted') {
    deps.audit.record('registration.created', {
      clientId: client.clientId,
      template: client.kind === 'instance' ? client.templateName : null,
      subject: client.createdByUser,
      details:
        client.createdByIat === null
          ? { registrar: 'open', ip_hash: client.createdByIpHash }
          : { registrar: client.createdByClient, initial_access_token: client.createdByIat },
    });
  }
  return outcome;
}

/** The credentials part of a registration answer (RFC 7591 3.2.1). */
export const issuedCredentials = (credentials: NewCredentials) => ({
  ...(credentials.clientSecret === null ? {} : { client_secret: credentials.clientSecret, client_secret_expires_at: 0 }),
  registration_access_token: credentials.registrationAccessToken,
});

import { OAuthError, insufficientScope, invalidClientMetadata, invalidToken, serverError } from '../oauth/errors';
import { DCR_SCOPE } from '../oauth/scopes';
import { effectiveClient } from '../oauth/client';
import type { OneTimeLedger } from '../ledger/client';
import type { KeySet } from '../tokens/keys';
import { verifyAccessToken } from '../tokens/access-token';
import { randomToken, sha256Hex } from '../tokens/secrets';
import { getTemplate } from '../storage/templates';
import { IatAlreadyUsedError, insertInstance, type InstanceClient } from '../storage/clients';
import { instanceChoicesFrom } from './instance-metadata';
import { instanceMetadata, type InstanceMetadata } from './instance-response';

export interface RegistrationDeps {
  db: D1Database;
  keys: KeySet;
  ledger: OneTimeLedger;
  issuer: string;
  now: number;
}

/**
 * Templatized registration (RFC 7591 with `software_id`). Everything that can be refused is checked
 * before the IAT is consumed, so a rejected request leaves the IAT usable; once consumed it is spent,
 * whatever happens next. The ledger gives one consumer per IAT, and the UNIQUE `created_by_iat`
 * column backs it: at most one client per IAT, ever.
 */
export async function registerInstance(
  deps: RegistrationDeps,
  input: { initialAccessToken: string; metadata: Record<string, unknown> },
): Promise<InstanceMetadata> {
  const iat = await verifyAccessToken(deps.keys, input.initialAccessToken, { issuer: deps.issuer, now: deps.now });
  if (!iat.scope.split(' ').includes(DCR_SCOPE)) {
    throw insufficientScope(`registration needs an initial access token with scope "${DCR_SCOPE}"`, DCR_SCOPE);
  }

  const softwareId = input.metadata.software_id;
  if (softwareId === undefined) throw invalidClientMetadata('software_id is required: name the template to instantiate');
  if (typeof softwareId !== 'string') throw invalidClientMetadata('software_id must be a string');
  const template = await getTemplate(deps.db, softwareId);
  if (!template || !template.config.enabled) throw invalidClientMetadata(`no enabled template has software_id "${softwareId}"`);
  if (!template.config.registration.allowed_clients.includes(iat.client_id)) {
    throw insufficientScope(`this initial access token may not register instances of "${softwareId}"`, DCR_SCOPE);
  }
  const choices = instanceChoicesFrom(input.metadata, template.config);

  if (!(await deps.ledger.consume(`iat:${iat.jti}`, deps.now, iat.exp * 1000))) {
    throw invalidToken('the initial access token has already been used');
  }

  const clientSecret = randomToken(32);
  const registrationAccessToken = randomToken(32);
  const instance = {
    kind: 'instance',
    clientId: randomToken(24),
    secretHash: await sha256Hex(clientSecret),
    issuedAt: deps.now,
    templateName: softwareId,
    choices,
    createdByIat: iat.jti,
    createdByClient: iat.client_id,
    registrationTokenHash: await sha256Hex(registrationAccessToken),
  } satisfies Omit<InstanceClient, 'lastUsedAt'>;
  try {
    await insertInstance(deps.db, instance);
  } catch (error) {
    if (error instanceof IatAlreadyUsedError) throw invalidToken('the initial access token has already been used');
    throw serverError('the instance could not be stored; the initial access token is spent, request a new one');
  }
  const client = effectiveClient({ ...instance, lastUsedAt: null }, template);
  if (!client) throw new OAuthError('server_error', 'the template changed during registration', 500);
  return {
    ...instanceMetadata(deps.issuer, client, instance.choices),
    client_secret: clientSecret,
    client_secret_expires_at: 0,
    registration_access_token: registrationAccessToken,
  };
}

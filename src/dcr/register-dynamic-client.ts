import { insufficientScope, serverError } from '../errors';
import { DCR_SCOPE } from '../oauth/scopes';
import { CREDENTIAL_OF, effectiveClient } from '../oauth/client';
import { NO_REGISTRAR_ROLES, type DynamicClient } from '../model';
import { issuedForUser } from '../tokens/access-token';
import { clientMetadata, type ClientMetadata } from './client-response';
import { dynamicClientConfig, type DynamicRegistrationPolicy } from './dynamic-metadata';
import { requireSectorDocument, sectorClientOf } from './subject-metadata';
import {
  acceptInitialAccessToken,
  enforceRegistrationLimits,
  issuedCredentials,
  newCredentials,
  spendInitialAccessToken,
  storeRegisteredClient,
  type PresentedIat,
  type RegistrationDeps,
} from './registration';

/**
 * Non-templatized registration (plain RFC 7591), when DCR_NON_TEMPLATIZED is on: the IAT must come from a
 * static client flagged `may_register_clients`. A client registering `none` is public: no secret, PKCE required; one
 * registering `private_key_jwt` gets no secret either, and authenticates with the keys it registered.
 */
export async function registerDynamicClient(
  deps: RegistrationDeps & { policy: DynamicRegistrationPolicy },
  input: PresentedIat & { metadata: Record<string, unknown> },
): Promise<ClientMetadata> {
  const iat = await acceptInitialAccessToken(deps, input);
  const registrar = await deps.store.clients.getStatic(iat.client_id);
  if (issuedForUser(iat) || !registrar?.config.may_register_clients) {
    throw insufficientScope('this initial access token may not register clients without a template (send software_id)', DCR_SCOPE);
  }
  const config = dynamicClientConfig(input.metadata, deps.policy);
  await requireSectorDocument(deps, sectorClientOf(config));
  await enforceRegistrationLimits(deps, iat, null);

  const credentials = await newCredentials(CREDENTIAL_OF[config.token_endpoint_auth_methods[0]!] === 'secret');
  const client: Omit<DynamicClient, 'lastUsedAt'> = {
    kind: 'dynamic',
    ...credentials.stored,
    issuedAt: deps.now,
    config,
    createdByIat: iat.jti,
    createdByClient: iat.client_id,
    createdByUser: null,
    createdByIpHash: null,
  };
  await spendInitialAccessToken(deps, iat, input.proof);
  if ((await storeRegisteredClient(deps, client, null)) !== 'inserted') throw serverError('the client could not be stored');
  const registered = effectiveClient({ client: { ...client, lastUsedAt: null }, template: null, registrarRoles: NO_REGISTRAR_ROLES })!;
  return { ...clientMetadata(deps.issuer, registered), ...issuedCredentials(credentials) };
}

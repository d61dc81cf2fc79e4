import { insufficientScope, invalidClientMetadata, serverError } from '../errors';
import { DCR_SCOPE } from '../oauth/scopes';
import { effectiveClient } from '../oauth/client';
import { NO_REGISTRAR_ROLES, type InstanceChoices, type InstanceClient, type RegistrationPolicy, type StoredTemplate } from '../model';
import { issuedForUser, type AccessTokenClaims } from '../tokens/access-token';
import { instanceChoicesFrom } from './instance-metadata';
import { clientMetadata, type ClientMetadata } from './client-response';
import {
  acceptInitialAccessToken,
  enforceRegistrationLimits,
  issuedCredentials,
  newCredentials,
  spendInitialAccessToken,
  storeRegisteredClient,
  type RegistrationDeps,
} from './registration';

/** How many times a registration re-reads a template that changed under it before giving up. */
const TEMPLATE_READS = 3;

/**
 * Templatized registration (RFC 7591 with `software_id`): an instance of an enabled template. The template comes
 * from what this isolate last read (no round trip) and the instance is stored only if the template is still at that
 * version; if an admin changed it meanwhile, the registration is checked again against the template as it is now,
 * and so is every refusal.
 * Two storage waves in the usual case: the ledger spends the IAT, D1 stores the instance (docs/architecture.md).
 */
export async function registerInstance(
  deps: RegistrationDeps,
  input: { initialAccessToken: string; metadata: Record<string, unknown> },
): Promise<ClientMetadata> {
  const iat = await acceptInitialAccessToken(deps, input.initialAccessToken);
  const softwareId = input.metadata.software_id;
  if (typeof softwareId !== 'string') throw invalidClientMetadata('software_id must be a string');
  let template = await deps.store.templates.recent(softwareId);
  let choices: InstanceChoices;
  try {
    choices = instanceChoices(template, softwareId, iat, input.metadata);
  } catch (refusal) {
    // Memory may only speed up a yes: a refusal is decided on the template as it is now.
    const current = await deps.store.templates.get(softwareId);
    if (current?.version === template?.version) throw refusal;
    template = current;
    choices = instanceChoices(template, softwareId, iat, input.metadata);
  }

  await enforceRegistrationLimits(deps, iat, softwareId);
  const credentials = await newCredentials(true);
  await spendInitialAccessToken(deps, iat);
  for (let reads = 1; ; reads++) {
    const instance: Omit<InstanceClient, 'lastUsedAt'> = {
      kind: 'instance',
      ...credentials.stored,
      secretHash: credentials.stored.secretHash!,
      issuedAt: deps.now,
      templateName: softwareId,
      choices,
      createdByIat: iat.jti,
      createdByClient: iat.client_id,
      createdByUser: issuedForUser(iat) ? iat.sub : null,
    };
    if ((await storeRegisteredClient(deps, instance, template!.version)) === 'inserted') {
      const client = effectiveClient({
        client: { ...instance, lastUsedAt: null },
        template: template!,
        registrarRoles: NO_REGISTRAR_ROLES,
      })!;
      return { ...clientMetadata(deps.issuer, client, choices.token_endpoint_auth_method), ...issuedCredentials(credentials) };
    }
    if (reads === TEMPLATE_READS) throw serverError('the template kept changing; the initial access token is spent, request a new one');
    // The template changed since it was read: decide again on the template as it is now (the IAT stays spent).
    template = await deps.store.templates.get(softwareId);
    choices = instanceChoices(template, softwareId, iat, input.metadata);
  }
}

/** What the instance will be, or why it may not be: the template exists, is enabled, and lets this IAT register. */
function instanceChoices(
  template: StoredTemplate | null,
  softwareId: string,
  iat: AccessTokenClaims,
  metadata: Record<string, unknown>,
): InstanceChoices {
  if (!template?.config.enabled) throw invalidClientMetadata(`no enabled template has software_id "${softwareId}"`);
  if (!mayRegister(template.config.registration, iat)) {
    throw insufficientScope(`this initial access token may not register instances of "${softwareId}"`, DCR_SCOPE);
  }
  return instanceChoicesFrom(metadata, template.config);
}

/** "clients": a listed client's own (client_credentials) token; "users": a user's token from a designated client. */
function mayRegister(registration: RegistrationPolicy, iat: AccessTokenClaims): boolean {
  return registration.mode === 'clients'
    ? !issuedForUser(iat) && registration.allowed_clients.includes(iat.client_id)
    : issuedForUser(iat) && registration.via_clients.includes(iat.client_id);
}

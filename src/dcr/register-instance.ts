import { insufficientScope, invalidClientMetadata } from '../oauth/errors';
import { DCR_SCOPE } from '../oauth/scopes';
import { effectiveClient } from '../oauth/client';
import { getTemplate } from '../storage/templates';
import type { InstanceClient } from '../storage/clients';
import type { TemplateConfig } from '../admin/schemas';
import { issuedForUser, type AccessTokenClaims } from '../tokens/access-token';
import { instanceChoicesFrom } from './instance-metadata';
import { clientMetadata, type ClientMetadata } from './client-response';
import { acceptInitialAccessToken, commitRegistration, issuedCredentials, newCredentials, type RegistrationDeps } from './registration';

/** Templatized registration (RFC 7591 with `software_id`): an instance of an enabled template. */
export async function registerInstance(
  deps: RegistrationDeps,
  input: { initialAccessToken: string; metadata: Record<string, unknown> },
): Promise<ClientMetadata> {
  const iat = await acceptInitialAccessToken(deps, input.initialAccessToken);
  const softwareId = input.metadata.software_id;
  if (typeof softwareId !== 'string') throw invalidClientMetadata('software_id must be a string');
  const template = await getTemplate(deps.db, softwareId);
  if (!template?.config.enabled) throw invalidClientMetadata(`no enabled template has software_id "${softwareId}"`);
  if (!mayRegister(template.config.registration, iat)) {
    throw insufficientScope(`this initial access token may not register instances of "${softwareId}"`, DCR_SCOPE);
  }
  const choices = instanceChoicesFrom(input.metadata, template.config);

  const credentials = await newCredentials(true);
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
  await commitRegistration(deps, iat, instance);
  // Non-null: the template was found enabled above.
  const client = effectiveClient({ ...instance, lastUsedAt: null }, template)!;
  return { ...clientMetadata(deps.issuer, client, choices.token_endpoint_auth_method), ...issuedCredentials(credentials) };
}

/** "clients": a listed client's own (client_credentials) token; "users": a user's token from a designated client. */
function mayRegister(registration: TemplateConfig['registration'], iat: AccessTokenClaims): boolean {
  return registration.mode === 'clients'
    ? !issuedForUser(iat) && registration.allowed_clients.includes(iat.client_id)
    : issuedForUser(iat) && registration.via_clients.includes(iat.client_id);
}

import { insufficientScope, invalidClientMetadata, invalidToken, serverError } from '../errors';
import { DCR_SCOPE } from '../oauth/scopes';
import { effectiveClient } from '../oauth/client';
import {
  NO_REGISTRAR_ROLES,
  type InstanceChoices,
  type InstanceClient,
  type Provenance,
  type RegistrationPolicy,
  type StoredTemplate,
  type TemplateConfig,
} from '../model';
import { issuedForUser, type AccessTokenClaims } from '../tokens/access-token';
import { instanceChoicesFrom } from './instance-metadata';
import { withKeysMethod } from './key-metadata';
import { CREDENTIAL_OF } from '../oauth/client';
import { clientMetadata, type ClientMetadata } from './client-response';
import { requireSectorDocument, sectorClientOf } from './subject-metadata';
import {
  acceptInitialAccessToken,
  enforceRegistrationLimits,
  issuedCredentials,
  newCredentials,
  spendInitialAccessToken,
  storeRegisteredClient,
  type NewCredentials,
  type PresentedIat,
  type RegistrationDeps,
} from './registration';

/** How many times a registration re-reads a template that changed under it before giving up. */
const TEMPLATE_READS = 3;

/** What an instance of the template would be, or why it may not be (a thrown OAuthError). */
type Decision = (template: StoredTemplate | null) => InstanceChoices;

/**
 * Templatized registration (RFC 7591 with `software_id`): an instance of an enabled template. The template comes
 * from what this isolate last read (no round trip) and the instance is stored only if the template is still at that
 * version; if an admin changed it meanwhile, the registration is checked again against the template as it is now,
 * and so is every refusal.
 * Two storage waves in the usual case: the ledger spends the IAT, D1 stores the instance (docs/architecture.md).
 */
export async function registerInstance(
  deps: RegistrationDeps,
  input: PresentedIat & { metadata: Record<string, unknown> },
): Promise<ClientMetadata> {
  const iat = await acceptInitialAccessToken(deps, input);
  const softwareId = softwareIdOf(input.metadata);
  const decide: Decision = (template) => {
    const config = enabledTemplate(template, softwareId);
    if (!mayRegister(config.registration, iat)) {
      throw insufficientScope(`this initial access token may not register instances of "${softwareId}"`, DCR_SCOPE);
    }
    return withKeysMethod(instanceChoicesFrom(input.metadata, config), config.token_endpoint_auth_methods[0]);
  };
  const { template, choices } = await decidedOnTemplate(deps, softwareId, decide);
  await requireSectorDocument(deps, sectorClientOf(template.config, choices.redirect_uris));
  await enforceRegistrationLimits(deps, iat, softwareId);
  const credentials = await newCredentials(hasSecret(choices, template.config));
  await spendInitialAccessToken(deps, iat, input.proof);
  const provenance = {
    createdByIat: iat.jti,
    createdByClient: iat.client_id,
    createdByUser: issuedForUser(iat) ? iat.sub : null,
    createdByIpHash: null,
  };
  return storeInstance(deps, { softwareId, template, choices, credentials, provenance, decide });
}

/**
 * Open registration (a template with `registration.mode: "open"`): anyone may register an instance without an initial
 * access token, as a public client (PKCE is then always required) with redirect URIs inside the template's. The route
 * limits it per client IP; the instance records a keyed hash of that IP. One storage wave: the insert.
 */
export async function registerOpenInstance(
  deps: RegistrationDeps,
  input: { softwareId: string; metadata: Record<string, unknown>; ipHash: string },
): Promise<ClientMetadata> {
  const { softwareId } = input;
  const decide: Decision = (stored) => {
    const config = stored?.config.registration.mode === 'open' ? enabledTemplate(stored, softwareId) : null;
    // A template that is not open needs an initial access token, as it always did.
    if (!config) throw invalidToken('a bearer token is required in the Authorization header', false);
    const method = input.metadata.token_endpoint_auth_method ?? 'none';
    if (method !== 'none' || !config.token_endpoint_auth_methods.includes('none')) {
      throw invalidClientMetadata('open registration makes public clients only: token_endpoint_auth_method must be "none"');
    }
    return { ...instanceChoicesFrom(input.metadata, config), token_endpoint_auth_method: 'none' };
  };
  const { template, choices } = await decidedOnTemplate(deps, softwareId, decide);
  await requireSectorDocument(deps, sectorClientOf(template.config, choices.redirect_uris));
  const about = { template: softwareId, details: { open_registration: true } };
  await deps.limits.enforce('registration_template', softwareId, `registrations of template "${softwareId}"`, about);
  const provenance = { createdByIat: null, createdByClient: null, createdByUser: null, createdByIpHash: input.ipHash };
  return storeInstance(deps, { softwareId, template, choices, credentials: await newCredentials(false), provenance, decide });
}

function softwareIdOf(metadata: Record<string, unknown>): string {
  if (typeof metadata.software_id !== 'string') throw invalidClientMetadata('software_id must be a string');
  return metadata.software_id;
}

function enabledTemplate(template: StoredTemplate | null, softwareId: string): TemplateConfig {
  if (!template?.config.enabled) throw invalidClientMetadata(`no enabled template has software_id "${softwareId}"`);
  return template.config;
}

/** The method the instance chose, or its template's first: only a secret method gets a secret (`none`: public). */
const hasSecret = (choices: InstanceChoices, template: TemplateConfig) =>
  CREDENTIAL_OF[choices.token_endpoint_auth_method ?? template.token_endpoint_auth_methods[0]!] === 'secret';

/** The template as this isolate last read it when it says yes; a refusal is decided on the template as it is now. */
async function decidedOnTemplate(
  deps: RegistrationDeps,
  softwareId: string,
  decide: Decision,
): Promise<{ template: StoredTemplate; choices: InstanceChoices }> {
  const recent = await deps.store.templates.recent(softwareId);
  try {
    return { template: recent!, choices: decide(recent) };
  } catch (refusal) {
    const current = await deps.store.templates.get(softwareId);
    if (current?.version === recent?.version) throw refusal;
    return { template: current!, choices: decide(current) };
  }
}

/** Stores the instance if its template is still at the version it was decided on; else decides again on the current one. */
async function storeInstance(
  deps: RegistrationDeps,
  input: {
    softwareId: string;
    template: StoredTemplate;
    choices: InstanceChoices;
    credentials: NewCredentials;
    provenance: Omit<Provenance, 'registrationTokenHash'>;
    decide: Decision;
  },
): Promise<ClientMetadata> {
  let { template, choices } = input;
  for (let reads = 1; ; reads++) {
    const instance: Omit<InstanceClient, 'lastUsedAt'> = {
      kind: 'instance',
      ...input.credentials.stored,
      issuedAt: deps.now,
      templateName: input.softwareId,
      choices,
      ...input.provenance,
    };
    if ((await storeRegisteredClient(deps, instance, template.version)) === 'inserted') {
      const client = effectiveClient({ client: { ...instance, lastUsedAt: null }, template, registrarRoles: NO_REGISTRAR_ROLES })!;
      return { ...clientMetadata(deps.issuer, client, choices.token_endpoint_auth_method), ...issuedCredentials(input.credentials) };
    }
    if (reads === TEMPLATE_READS) throw serverError('the template kept changing; request a new initial access token if one was spent');
    // The template changed since it was read: decide again on the template as it is now (an IAT stays spent).
    const current = await deps.store.templates.get(input.softwareId);
    choices = input.decide(current);
    template = current!;
  }
}

/**
 * "clients": a listed client's own (client_credentials) token; "users": a user's token from a designated client.
 * Open and metadata-document templates name no registrar.
 */
function mayRegister(registration: RegistrationPolicy, iat: AccessTokenClaims): boolean {
  switch (registration.mode) {
    case 'clients':
      return !issuedForUser(iat) && registration.allowed_clients.includes(iat.client_id);
    case 'users':
      return issuedForUser(iat) && registration.via_clients.includes(iat.client_id);
    default:
      return false;
  }
}

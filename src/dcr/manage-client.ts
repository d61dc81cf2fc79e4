import { invalidClientMetadata, invalidToken } from '../errors';
import { CREDENTIAL_OF, credentialOf, effectiveClient, type Client } from '../oauth/client';
import { withKeysMethod } from './key-metadata';
import { matchesHash, randomToken, sha256Hex } from '../tokens/secrets';
import {
  NO_REGISTRAR_ROLES,
  type ClientAuthMethod,
  type ClientConfig,
  type DynamicClient,
  type InstanceClient,
  type StoredTemplate,
} from '../model';
import type { Store } from '../store/store';
import { instanceChoicesFrom } from './instance-metadata';
import { dynamicClientConfig, type DynamicRegistrationPolicy } from './dynamic-metadata';
import { clientMetadata, type ClientMetadata } from './client-response';
import type { AuditRecorder } from '../audit/recorder';
import type { OutboundDocuments } from '../outbound/documents';
import { requireSectorDocument, sectorClientOf } from './subject-metadata';

/**
 * RFC 7592 client configuration endpoint for registered clients (instances and dynamic clients), authorized by
 * the registration access token. Static clients are the admin's: they are never managed here.
 */

export interface ManagementDeps {
  store: Store;
  issuer: string;
  policy: DynamicRegistrationPolicy;
  audit: AuditRecorder;
  documents: OutboundDocuments;
  now: number;
}

interface ManagementRequest {
  clientId: string;
  registrationAccessToken: string;
}

type Registered = InstanceClient | DynamicClient;

interface Managed {
  client: Client;
  stored: Registered;
  template: StoredTemplate | null;
  presentedHash: string;
}

/**
 * The client the token manages. A wrong token, a token of another client, a static client, a deleted client
 * or an instance whose template is gone or disabled all get the same 401 and learn nothing about the client.
 */
async function authorize(store: Store, request: ManagementRequest): Promise<Managed> {
  const { client: record } = await store.lookUp({ clientId: request.clientId });
  const stored = record && (record.client.kind === 'instance' || record.client.kind === 'dynamic') ? record.client : null;
  const client = stored && effectiveClient(record!);
  if (!stored || !client || !(await matchesHash(request.registrationAccessToken, stored.registrationTokenHash))) {
    throw invalidToken('the registration access token is not valid for this client');
  }
  return { client, stored, template: record!.template, presentedHash: await sha256Hex(request.registrationAccessToken) };
}

const chosenAuthMethod = (stored: Registered) => (stored.kind === 'instance' ? stored.choices.token_endpoint_auth_method : undefined);

export async function readClient(deps: ManagementDeps, request: ManagementRequest): Promise<ClientMetadata> {
  const { client, stored } = await authorize(deps.store, request);
  return clientMetadata(deps.issuer, client, chosenAuthMethod(stored));
}

/**
 * Replaces the client's metadata (RFC 7592 2.2: omitted fields fall back to defaults, or the template's) and
 * rotates the registration access token. The same rules as registration apply: an instance never widens its
 * template, and a client cannot turn public or confidential, since its credentials would not follow.
 */
export async function updateClient(
  deps: ManagementDeps,
  request: ManagementRequest & { metadata: Record<string, unknown> },
): Promise<ClientMetadata> {
  const { stored, template, presentedHash } = await authorize(deps.store, request);
  const { client_id, client_secret, software_id, ...rest } = request.metadata;
  if (client_id !== request.clientId) throw invalidClientMetadata('client_id must be present and name this client');
  if (
    client_secret !== undefined &&
    (typeof client_secret !== 'string' || stored.secretHash === null || !(await matchesHash(client_secret, stored.secretHash)))
  ) {
    throw invalidClientMetadata('client_secret, when sent, must be the current secret; secrets are not chosen by clients');
  }
  if (software_id !== undefined && software_id !== (template?.config.name ?? null)) {
    throw invalidClientMetadata('software_id cannot change: register a new client instead');
  }

  const credential = credentialOf(stored);
  const requireSameKind = (method: ClientAuthMethod | undefined) => {
    if (method !== undefined && CREDENTIAL_OF[method] !== credential) {
      throw invalidClientMetadata('token_endpoint_auth_method cannot switch between public ("none"), keys and a secret');
    }
  };
  let updated: Registered;
  if (stored.kind === 'instance') {
    const choices = instanceChoicesFrom(rest, template!.config);
    requireSameKind(choices.token_endpoint_auth_method);
    // A public instance stays public, and one with keys keeps using them, when the update does not name a method.
    updated = {
      ...stored,
      choices:
        credential === 'none'
          ? { ...choices, token_endpoint_auth_method: 'none' }
          : credential === 'keys'
            ? withKeysMethod(choices, 'private_key_jwt')
            : choices,
    };
    await requireSectorDocument(deps, sectorClientOf(template!.config, choices.redirect_uris));
  } else {
    const config: ClientConfig = dynamicClientConfig(rest, deps.policy);
    requireSameKind(config.token_endpoint_auth_methods[0]);
    updated = { ...stored, config };
    await requireSectorDocument(deps, sectorClientOf(config));
  }

  const registrationAccessToken = randomToken(32);
  const written = await deps.store.clients.updateRegistered({
    clientId: request.clientId,
    presentedTokenHash: presentedHash,
    config: updated.kind === 'instance' ? updated.choices : updated.config,
    newTokenHash: await sha256Hex(registrationAccessToken),
  });
  // Lost a race with a concurrent update or delete: that one used the token first.
  if (!written) throw invalidToken('the registration access token is not valid for this client');
  deps.audit.record('registration.updated', { clientId: request.clientId, template: template?.config.name ?? null });
  const client = effectiveClient({ client: updated, template, registrarRoles: NO_REGISTRAR_ROLES })!;
  return { ...clientMetadata(deps.issuer, client, chosenAuthMethod(updated)), registration_access_token: registrationAccessToken };
}

/** After this the client id is `invalid_client` everywhere and its management URI answers 401. */
export async function deleteClient(deps: ManagementDeps, request: ManagementRequest): Promise<void> {
  const { presentedHash, template } = await authorize(deps.store, request);
  if (!(await deps.store.clients.deleteRegistered(request.clientId, presentedHash))) {
    throw invalidToken('the registration access token is not valid for this client');
  }
  deps.audit.record('registration.deleted', { clientId: request.clientId, template: template?.config.name ?? null });
}

import { invalidClientMetadata, invalidToken } from '../oauth/errors';
import { effectiveClient, type Client } from '../oauth/client';
import { matchesHash, randomToken, sha256Hex } from '../tokens/secrets';
import {
  deleteInstanceWithToken,
  findClientWithTemplate,
  updateInstanceChoices,
  type InstanceClient,
} from '../storage/clients';
import type { StoredTemplate } from '../storage/templates';
import { instanceChoicesFrom } from './instance-metadata';
import { instanceMetadata, type InstanceMetadata } from './instance-response';

/** RFC 7592 client configuration endpoint for instances, authorized by the registration access token. */

export interface ManagementDeps {
  db: D1Database;
  issuer: string;
}

interface ManagementRequest {
  clientId: string;
  registrationAccessToken: string;
}

interface Managed {
  client: Client;
  instance: InstanceClient;
  template: StoredTemplate;
  presentedHash: string;
}

/**
 * The instance the token manages. A wrong token, a token of another client, a static client, a deleted
 * instance or one whose template is gone or disabled all get the same 401 and learn nothing about the client.
 */
async function authorize(db: D1Database, request: ManagementRequest): Promise<Managed> {
  const found = await findClientWithTemplate(db, request.clientId);
  const instance = found?.client.kind === 'instance' ? found.client : null;
  const client = instance && effectiveClient(instance, found!.template);
  if (!instance || !client || !(await matchesHash(request.registrationAccessToken, instance.registrationTokenHash))) {
    throw invalidToken('the registration access token is not valid for this client');
  }
  return { client, instance, template: found!.template!, presentedHash: await sha256Hex(request.registrationAccessToken) };
}

export async function readInstance(deps: ManagementDeps, request: ManagementRequest): Promise<InstanceMetadata> {
  const { client, instance } = await authorize(deps.db, request);
  return instanceMetadata(deps.issuer, client, instance.choices);
}

/**
 * Replaces what the instance chose (RFC 7592 2.2: omitted fields fall back to the template) and rotates the
 * registration access token. Never widens: the same rules as registration apply.
 */
export async function updateInstance(
  deps: ManagementDeps,
  request: ManagementRequest & { metadata: Record<string, unknown> },
): Promise<InstanceMetadata> {
  const { instance, template, presentedHash } = await authorize(deps.db, request);
  const { client_id, client_secret, software_id, ...rest } = request.metadata;
  if (client_id !== request.clientId) throw invalidClientMetadata('client_id must be present and name this client');
  if (client_secret !== undefined && (typeof client_secret !== 'string' || !(await matchesHash(client_secret, instance.secretHash)))) {
    throw invalidClientMetadata('client_secret, when sent, must be the current secret; secrets are not chosen by clients');
  }
  if (software_id !== undefined && software_id !== template.config.name) {
    throw invalidClientMetadata('software_id cannot change: register a new instance of the other template');
  }
  const choices = instanceChoicesFrom(rest, template.config);

  const registrationAccessToken = randomToken(32);
  const updated = await updateInstanceChoices(deps.db, {
    clientId: request.clientId,
    presentedTokenHash: presentedHash,
    choices,
    newTokenHash: await sha256Hex(registrationAccessToken),
  });
  // Lost a race with a concurrent update or delete: that one rotated the token first.
  if (!updated) throw invalidToken('the registration access token is not valid for this client');
  const client = effectiveClient({ ...instance, choices }, template)!;
  return { ...instanceMetadata(deps.issuer, client, choices), registration_access_token: registrationAccessToken };
}

/** After this the client id is `invalid_client` everywhere and its management URI answers 401. */
export async function deleteInstance(deps: ManagementDeps, request: ManagementRequest): Promise<void> {
  const { presentedHash } = await authorize(deps.db, request);
  if (!(await deleteInstanceWithToken(deps.db, request.clientId, presentedHash))) {
    throw invalidToken('the registration access token is not valid for this client');
  }
}

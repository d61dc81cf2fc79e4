import { AUTHENTICATORS, type Capability, type ClientAuthMethod, type ClientConfig, type IdTokenAlg, type StoredClient } from '../model';
import type { ClientRecord } from '../store/store';
import { DCR_SCOPE } from './scopes';

/**
 * A client as the OAuth endpoints see it: a static or dynamic client's own metadata, or an instance's identity
 * merged with its template as it is at this moment (live linkage: nothing is copied at registration).
 */
export interface Client {
  clientId: string;
  kind: StoredClient['kind'];
  /** Null for a public client, which authenticates with `none` and must use PKCE. */
  secretHash: string | null;
  issuedAt: number;
  lastUsedAt: number | null;
  templateName: string | null;
  clientName: string;
  capabilities: Capability[];
  scopes: string[];
  redirectUris: string[];
  authMethods: ClientAuthMethod[];
  accessTokenTtl: number;
  refreshTokenTtl: number | null;
  idTokenAlg: IdTokenAlg;
  authenticators: string[];
  /** May introspect any token (a designated resource server); static clients only. */
  resourceServer: boolean;
  /** What earns it initial access tokens: an enabled template lists it (`instances`), or its own flag (`withoutTemplate`). */
  registers: { instances: boolean; withoutTemplate: boolean };
}

/** The effective client, or null when it cannot act: an instance whose template is gone or disabled. */
export function effectiveClient(record: ClientRecord): Client | null {
  const { client, template, registrarRoles } = record;
  const identity = { clientId: client.clientId, secretHash: client.secretHash, issuedAt: client.issuedAt, lastUsedAt: client.lastUsedAt };
  if (client.kind !== 'instance') {
    // A client through which users log in to register instances may ask for `dcr` in the code flow.
    const extraScopes = client.kind === 'static' && registrarRoles.users ? [DCR_SCOPE] : [];
    return {
      ...identity,
      kind: client.kind,
      ...ownMetadata(client.clientId, client.config, extraScopes),
      registers: { instances: registrarRoles.clients, withoutTemplate: client.config.may_register_clients === true },
    };
  }
  if (!template?.config.enabled) return null;
  const t = template.config;
  const chosenUris = client.choices.redirect_uris;
  return {
    ...identity,
    kind: 'instance',
    templateName: t.name,
    clientName: client.choices.client_name ?? t.client_name ?? t.name,
    capabilities: t.capabilities,
    scopes: t.scopes,
    // An instance may have narrowed the template's URIs; a URI the template dropped is gone for it too.
    redirectUris: chosenUris ? chosenUris.filter((uri) => t.redirect_uris.includes(uri)) : t.redirect_uris,
    authMethods: t.token_endpoint_auth_methods,
    accessTokenTtl: t.access_token_ttl,
    refreshTokenTtl: t.refresh_token_ttl,
    idTokenAlg: t.id_token_signed_response_alg,
    authenticators: t.authenticators,
    resourceServer: false,
    registers: { instances: false, withoutTemplate: false },
  };
}

/** The effective client of a lookup, or null when there is none that can act. */
export const activeClient = (record: ClientRecord | null) => (record ? effectiveClient(record) : null);

function ownMetadata(clientId: string, c: ClientConfig, extraScopes: string[]) {
  return {
    templateName: null,
    clientName: c.client_name ?? clientId,
    capabilities: c.capabilities,
    scopes: [...c.scopes, ...extraScopes],
    redirectUris: c.redirect_uris,
    authMethods: c.token_endpoint_auth_methods,
    accessTokenTtl: c.access_token_ttl,
    refreshTokenTtl: c.refresh_token_ttl,
    idTokenAlg: c.id_token_signed_response_alg,
    authenticators: [...AUTHENTICATORS],
    resourceServer: c.resource_server ?? false,
  };
}

export const isPublicClient = (client: Pick<Client, 'secretHash'>) => client.secretHash === null;

export const GRANT_TYPE_OF: Record<Capability, string> = {
  code: 'authorization_code',
  client_credentials: 'client_credentials',
  refresh: 'refresh_token',
};

export const grantTypesOf = (client: Pick<Client, 'capabilities'>) => client.capabilities.map((c) => GRANT_TYPE_OF[c]);

export const responseTypesOf = (client: Pick<Client, 'capabilities'>) => (client.capabilities.includes('code') ? ['code'] : []);

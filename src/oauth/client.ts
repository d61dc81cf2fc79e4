import {
  AUTHENTICATORS,
  type Capability,
  type ClientAuthMethod,
  type ClientConfig,
  type IdTokenAlg,
  type Presentation,
  type StoredClient,
  type TemplateConfig,
} from '../model';
import type { ClientRecord } from '../store/store';
import { DCR_SCOPE } from './scopes';
import { redirectUriMatches } from './redirect-uri-match';

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
  /** RFC 7591 `client_name`: an instance's own choice, else its template's. */
  clientName: string;
  /** Who is asking, as the pages show it first: a template's admin-set name for its verified instances. */
  applicationName: string;
  /** The logo and links the pages show (the admin's for instances, the client's own for dynamic clients). */
  presentation: Presentation;
  capabilities: Capability[];
  scopes: string[];
  redirectUris: string[];
  authMethods: ClientAuthMethod[];
  accessTokenTtl: number;
  refreshTokenTtl: number | null;
  idTokenAlg: IdTokenAlg;
  authenticators: string[];
  /** Authorization requests must carry a PKCE challenge: always for public clients, by default for all. */
  pkceRequired: boolean;
  /** RFC 8707 resources it may ask tokens for (exact URLs, or https prefixes ending in `/*`). */
  resources: string[];
  /** Its own metadata says its authorization requests must be pushed (RFC 9126 6); REQUIRE_PAR may demand it of all. */
  requirePushedAuthorizationRequests: boolean;
  /** Where an RP-initiated logout may send the browser back to (exact match). */
  postLogoutRedirectUris: string[];
  /** Nobody vouched for it (open registration, a metadata document): users approve what it asks for first. */
  unverified: boolean;
  /** May introspect any token (a designated resource server); static clients only. */
  resourceServer: boolean;
  /** What earns it initial access tokens: an enabled template lists it (`instances`), or its own flag (`withoutTemplate`). */
  registers: { instances: boolean; withoutTemplate: boolean };
}

const presentationOf = (c: Presentation): Presentation => ({
  ...(c.logo_uri === undefined ? {} : { logo_uri: c.logo_uri }),
  ...(c.policy_uri === undefined ? {} : { policy_uri: c.policy_uri }),
  ...(c.tos_uri === undefined ? {} : { tos_uri: c.tos_uri }),
});

/**
 * A public client authenticates with `none` only, while it is allowed (a template that drops `none` stops its public
 * instances at once); a confidential one with the secret methods it is allowed.
 */
const authMethodsFor = (secretHash: string | null, allowed: readonly ClientAuthMethod[]): ClientAuthMethod[] =>
  allowed.filter((method) => (method === 'none') === (secretHash === null));

const pkceRequired = (secretHash: string | null, config: { pkce_required?: boolean }) =>
  secretHash === null || config.pkce_required !== false;

/** The effective client, or null when it cannot act: an instance whose template is gone or disabled. */
export function effectiveClient(record: ClientRecord): Client | null {
  const { client, template, registrarRoles } = record;
  const identity = { clientId: client.clientId, secretHash: client.secretHash, issuedAt: client.issuedAt, lastUsedAt: client.lastUsedAt };
  if (client.kind === 'static' || client.kind === 'dynamic') {
    // A client through which users log in to register instances may ask for `dcr` in the code flow.
    const extraScopes = client.kind === 'static' && registrarRoles.users ? [DCR_SCOPE] : [];
    return {
      ...identity,
      kind: client.kind,
      ...ownMetadata(client.clientId, client.secretHash, client.config, extraScopes),
      registers: { instances: registrarRoles.clients, withoutTemplate: client.config.may_register_clients === true },
    };
  }
  if (!template?.config.enabled) return null;
  const t = template.config;
  if (client.kind === 'metadata_document') {
    // Until its document is read (src/dcr/metadata-document.ts) it is known by its URL's host, and may use the
    // template's redirect URIs; the document narrows them to its own.
    const host = new URL(client.clientId).host;
    return {
      ...identity,
      ...fromTemplate(t, null),
      kind: client.kind,
      clientName: host,
      applicationName: host,
      redirectUris: t.redirect_uris,
      unverified: true,
    };
  }
  const chosenUris = client.choices.redirect_uris;
  const unverified = client.createdByIat === null;
  const clientName = client.choices.client_name ?? t.client_name ?? t.name;
  return {
    ...identity,
    ...fromTemplate(t, client.secretHash),
    kind: 'instance',
    clientName,
    applicationName: unverified ? clientName : (t.client_name ?? t.name),
    // An instance may have narrowed the template's URIs; a URI the template dropped is gone for it too.
    redirectUris: chosenUris
      ? chosenUris.filter((uri) => t.redirect_uris.some((allowed) => redirectUriMatches(allowed, uri)))
      : t.redirect_uris,
    unverified,
  };
}

/** What an instance (or a metadata-document client) takes from its template as it is now. */
function fromTemplate(t: TemplateConfig, secretHash: string | null) {
  return {
    templateName: t.name,
    presentation: presentationOf(t),
    capabilities: t.capabilities,
    scopes: t.scopes,
    authMethods: authMethodsFor(secretHash, t.token_endpoint_auth_methods),
    accessTokenTtl: t.access_token_ttl,
    refreshTokenTtl: t.refresh_token_ttl,
    idTokenAlg: t.id_token_signed_response_alg,
    authenticators: t.authenticators,
    pkceRequired: pkceRequired(secretHash, t),
    resources: t.resources ?? [],
    requirePushedAuthorizationRequests: t.require_pushed_authorization_requests === true,
    postLogoutRedirectUris: t.post_logout_redirect_uris ?? [],
    resourceServer: false,
    registers: { instances: false, withoutTemplate: false },
  };
}

/** The effective client of a lookup, or null when there is none that can act. */
export const activeClient = (record: ClientRecord | null) => (record ? effectiveClient(record) : null);

function ownMetadata(clientId: string, secretHash: string | null, c: ClientConfig, extraScopes: string[]) {
  const clientName = c.client_name ?? clientId;
  return {
    templateName: null,
    clientName,
    applicationName: clientName,
    presentation: presentationOf(c),
    capabilities: c.capabilities,
    scopes: [...c.scopes, ...extraScopes],
    redirectUris: c.redirect_uris,
    authMethods: authMethodsFor(secretHash, c.token_endpoint_auth_methods),
    accessTokenTtl: c.access_token_ttl,
    refreshTokenTtl: c.refresh_token_ttl,
    idTokenAlg: c.id_token_signed_response_alg,
    authenticators: [...AUTHENTICATORS],
    pkceRequired: pkceRequired(secretHash, c),
    resources: c.resources ?? [],
    requirePushedAuthorizationRequests: c.require_pushed_authorization_requests === true,
    postLogoutRedirectUris: c.post_logout_redirect_uris ?? [],
    unverified: false,
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

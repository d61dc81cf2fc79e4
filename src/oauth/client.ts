import {
  AUTHENTICATORS,
  type Capability,
  type ClientAuthMethod,
  type ClientConfig,
  type ClientKeys,
  type IdTokenAlg,
  type Presentation,
  type StoredClient,
  type SubjectSettings,
  type SubjectType,
  type TemplateConfig,
} from '../model';
import type { ClientRecord } from '../store/store';
import { DCR_SCOPE } from './scopes';
import { redirectUriMatches } from './redirect-uri-match';
import { sectorOf } from './pairwise-sector';

/**
 * A client as the OAuth endpoints see it: a static or dynamic client's own metadata, or an instance's identity
 * merged with its template as it is at this moment (live linkage: nothing is copied at registration).
 */
export interface Client {
  clientId: string;
  kind: StoredClient['kind'];
  /** Null for a client without a secret: a public one, or one that authenticates with its keys. */
  secretHash: string | null;
  /** What it authenticates with: a secret, its own keys (`private_key_jwt`), or nothing (`none`: public, PKCE always). */
  credential: Credential;
  /** Its own public keys, which verify its client assertions and request objects (src/oauth/client-keys.ts). */
  keys: ClientKeys;
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
  /** Userinfo answers a JWT signed with this (OpenID Connect Core 5.3.2); null: plain JSON. */
  userinfoAlg: IdTokenAlg | null;
  subjectType: SubjectType;
  sectorIdentifierUri: string | null;
  /** The sector its users' pairwise `sub` is computed for (src/oauth/subjects.ts); null for a public client. */
  pairwiseSector: string | null;
  authenticators: string[];
  /** Authorization requests must carry a PKCE challenge: always for public clients, by default for all. */
  pkceRequired: boolean;
  /** RFC 8707 resources it may ask tokens for (exact URLs, or https prefixes ending in `/*`). */
  resources: string[];
  /** RFC 9449 5.2: its token requests without a DPoP proof are refused. */
  dpopBoundAccessTokens: boolean;
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

export type Credential = 'secret' | 'keys' | 'none';

/** The credential each method proves possession of. */
export const CREDENTIAL_OF: Record<ClientAuthMethod, Credential> = {
  client_secret_basic: 'secret',
  client_secret_post: 'secret',
  private_key_jwt: 'keys',
  none: 'none',
};

/**
 * A stored client's credential: a secret when it has one; else keys when it was registered for `private_key_jwt`
 * (an instance records the method it chose, a static or dynamic client lists it); else none (public).
 */
export function credentialOf(client: StoredClient): Credential {
  if (client.secretHash !== null) return 'secret';
  const methods =
    client.kind === 'instance'
      ? [client.choices.token_endpoint_auth_method]
      : client.kind === 'metadata_document'
        ? []
        : client.config.token_endpoint_auth_methods;
  return methods.includes('private_key_jwt') ? 'keys' : 'none';
}

const KEY_FIELDS = ['jwks', 'jwks_uri', 'token_endpoint_auth_signing_alg', 'request_object_signing_alg'] as const;
const keysOf = (c: ClientKeys): ClientKeys => Object.fromEntries(KEY_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]]));

const presentationOf = (c: Presentation): Presentation => ({
  ...(c.logo_uri === undefined ? {} : { logo_uri: c.logo_uri }),
  ...(c.policy_uri === undefined ? {} : { policy_uri: c.policy_uri }),
  ...(c.tos_uri === undefined ? {} : { tos_uri: c.tos_uri }),
});

/**
 * A client authenticates with the allowed methods of its credential only: a public client with `none`, one with
 * keys with `private_key_jwt`, one with a secret with the secret methods. A template that drops a method stops the
 * instances that rely on it at once.
 */
const authMethodsFor = (credential: Credential, allowed: readonly ClientAuthMethod[]): ClientAuthMethod[] =>
  allowed.filter((method) => CREDENTIAL_OF[method] === credential);

/**
 * How users are identified to it and how it reads userinfo. An instance's sector comes from its template (the
 * template's sector identifier, or the one host of the template's redirect URIs): all its instances share it.
 */
const subjectSettingsOf = (c: SubjectSettings & { redirect_uris: string[] }) => ({
  userinfoAlg: c.userinfo_signed_response_alg ?? null,
  subjectType: c.subject_type ?? 'public',
  sectorIdentifierUri: c.sector_identifier_uri ?? null,
  pairwiseSector: c.subject_type === 'pairwise' ? sectorOf(c) : null,
});

const pkceRequired = (credential: Credential, config: { pkce_required?: boolean }) =>
  credential === 'none' || config.pkce_required !== false;

/** The effective client, or null when it cannot act: an instance whose template is gone or disabled. */
export function effectiveClient(record: ClientRecord): Client | null {
  const { client, template, registrarRoles } = record;
  const credential = credentialOf(client);
  const identity = {
    clientId: client.clientId,
    secretHash: client.secretHash,
    credential,
    issuedAt: client.issuedAt,
    lastUsedAt: client.lastUsedAt,
  };
  if (client.kind === 'static' || client.kind === 'dynamic') {
    // A client through which users log in to register instances may ask for `dcr` in the code flow.
    const extraScopes = client.kind === 'static' && registrarRoles.users ? [DCR_SCOPE] : [];
    return {
      ...identity,
      kind: client.kind,
      ...ownMetadata(client.clientId, credential, client.config, extraScopes),
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
      ...fromTemplate(t, credential),
      kind: client.kind,
      keys: {},
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
    ...fromTemplate(t, credential),
    kind: 'instance',
    keys: keysOf(client.choices),
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
function fromTemplate(t: TemplateConfig, credential: Credential) {
  return {
    templateName: t.name,
    presentation: presentationOf(t),
    capabilities: t.capabilities,
    scopes: t.scopes,
    authMethods: authMethodsFor(credential, t.token_endpoint_auth_methods),
    accessTokenTtl: t.access_token_ttl,
    refreshTokenTtl: t.refresh_token_ttl,
    idTokenAlg: t.id_token_signed_response_alg,
    ...subjectSettingsOf(t),
    authenticators: t.authenticators,
    pkceRequired: pkceRequired(credential, t),
    resources: t.resources ?? [],
    dpopBoundAccessTokens: t.dpop_bound_access_tokens === true,
    requirePushedAuthorizationRequests: t.require_pushed_authorization_requests === true,
    postLogoutRedirectUris: t.post_logout_redirect_uris ?? [],
    resourceServer: false,
    registers: { instances: false, withoutTemplate: false },
  };
}

/** The effective client of a lookup, or null when there is none that can act. */
export const activeClient = (record: ClientRecord | null) => (record ? effectiveClient(record) : null);

function ownMetadata(clientId: string, credential: Credential, c: ClientConfig, extraScopes: string[]) {
  const clientName = c.client_name ?? clientId;
  return {
    templateName: null,
    clientName,
    applicationName: clientName,
    presentation: presentationOf(c),
    capabilities: c.capabilities,
    scopes: [...c.scopes, ...extraScopes],
    redirectUris: c.redirect_uris,
    authMethods: authMethodsFor(credential, c.token_endpoint_auth_methods),
    keys: keysOf(c),
    accessTokenTtl: c.access_token_ttl,
    refreshTokenTtl: c.refresh_token_ttl,
    idTokenAlg: c.id_token_signed_response_alg,
    ...subjectSettingsOf(c),
    authenticators: [...AUTHENTICATORS],
    pkceRequired: pkceRequired(credential, c),
    resources: c.resources ?? [],
    dpopBoundAccessTokens: c.dpop_bound_access_tokens === true,
    requirePushedAuthorizationRequests: c.require_pushed_authorization_requests === true,
    postLogoutRedirectUris: c.post_logout_redirect_uris ?? [],
    unverified: false,
    resourceServer: c.resource_server ?? false,
  };
}

/** A public client proves nothing but its name: no secret, no keys. */
export const isPublicClient = (client: Pick<Client, 'credential'>) => client.credential === 'none';

export const GRANT_TYPE_OF: Record<Capability, string> = {
  code: 'authorization_code',
  client_credentials: 'client_credentials',
  refresh: 'refresh_token',
};

export const grantTypesOf = (client: Pick<Client, 'capabilities'>) => client.capabilities.map((c) => GRANT_TYPE_OF[c]);

export const responseTypesOf = (client: Pick<Client, 'capabilities'>) => (client.capabilities.includes('code') ? ['code'] : []);

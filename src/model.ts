/**
 * The domain model: templates, clients and users as every layer sees them. A leaf: it imports nothing, so the
 * admin API's validation, the OAuth rules and the store all depend on it and never on each other's files.
 */

export const CAPABILITIES = ['code', 'client_credentials', 'refresh'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** User authenticators; each is also the `acr` value it puts in tokens. */
export const AUTHENTICATORS = ['username-password'] as const;
export type Authenticator = (typeof AUTHENTICATORS)[number];

export const SECRET_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type SecretAuthMethod = (typeof SECRET_AUTH_METHODS)[number];
/**
 * `private_key_jwt`: a JWT signed with the client's own key (RFC 7523, its public keys registered as `jwks` or
 * `jwks_uri`: no secret). `none`: a public client (a native app, a browser app, an agent: no secret), which must use
 * PKCE.
 */
export const CLIENT_AUTH_METHODS = [...SECRET_AUTH_METHODS, 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/** What clients may sign their JWTs with (client assertions, request objects); `Ed25519` is RFC 9864's name of EdDSA. */
export const CLIENT_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;
export type ClientSigningAlg = (typeof CLIENT_SIGNING_ALGS)[number];

/** A JWK Set (RFC 7517 5) of public keys. */
export interface PublicJwkSet {
  keys: Record<string, unknown>[];
}

/**
 * A client's own public keys (RFC 7591 2: `jwks`, or `jwks_uri` where it publishes them, never both), which verify
 * what it signs: its client assertions (`private_key_jwt`) and its request objects (RFC 9101).
 */
export interface ClientKeys {
  jwks?: PublicJwkSet;
  jwks_uri?: string;
  /** The one alg its client assertions may use; absent: any of CLIENT_SIGNING_ALGS. */
  token_endpoint_auth_signing_alg?: ClientSigningAlg;
  /** The one alg its request objects may use; absent: any of CLIENT_SIGNING_ALGS. */
  request_object_signing_alg?: ClientSigningAlg;
}

/** OpenID Connect Core 8: one `sub` per user everywhere (`public`), or one per sector of clients (`pairwise`). */
export const SUBJECT_TYPES = ['public', 'pairwise'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/** OpenID Connect Core 8 and Registration 2: how a client's users are identified to it, and how it reads userinfo. */
export interface SubjectSettings {
  /** Absent means `public`. */
  subject_type?: SubjectType;
  /**
   * An https URL listing the client's redirect URIs (a JSON array): its host is the pairwise sector. Without it the
   * sector is the one host of the redirect URIs.
   */
  sector_identifier_uri?: string;
  /** Userinfo answers a JWT signed with this algorithm (OpenID Connect Core 5.3.2); absent: plain JSON. */
  userinfo_signed_response_alg?: IdTokenAlg;
}

/**
 * Who may register instances of a template: static clients by client_credentials, users logging in through one,
 * anyone without an initial access token (`open`: public clients only, limited per IP), or clients whose id is the
 * https URL of their metadata document on an allowed host (`metadata_document`: nothing is registered).
 */
export type RegistrationPolicy =
  | { mode: 'clients'; allowed_clients: string[] }
  | { mode: 'users'; via_clients: string[] }
  | { mode: 'open' }
  | { mode: 'metadata_document'; allowed_hosts: string[] };

/** What the login, consent and error pages show of an application (RFC 7591 2, human-readable metadata). */
export interface Presentation {
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
}

/** A template client: the configuration every instance of it runs with, read live at each request. */
export interface TemplateConfig extends Presentation, SubjectSettings {
  /** The `software_id` instances are registered with. */
  name: string;
  /** The application's name, set by the admin; pages show it first, an instance's own name second. */
  client_name?: string;
  capabilities: Capability[];
  redirect_uris: string[];
  scopes: string[];
  authenticators: Authenticator[];
  /** With `none`, instances may be public (no secret, PKCE always); with `private_key_jwt`, use their own keys. */
  token_endpoint_auth_methods: ClientAuthMethod[];
  /** False lets confidential instances skip PKCE (not recommended); absent means true. */
  pkce_required?: boolean;
  /** RFC 8707 resources instances may ask tokens for: exact URLs, or an https prefix ending in `/*`. */
  resources?: string[];
  /** RFC 9449 5.2: every token request of its instances must carry a DPoP proof; absent means false. */
  dpop_bound_access_tokens?: boolean;
  /** RFC 9126 6: instances' authorization requests must be pushed; absent means false. */
  require_pushed_authorization_requests?: boolean;
  /** Where instances may send the browser after an RP-initiated logout (exact match); absent means none. */
  post_logout_redirect_uris?: string[];
  registration: RegistrationPolicy;
  access_token_ttl: number;
  refresh_token_ttl: number;
  id_token_signed_response_alg: IdTokenAlg;
  enabled: boolean;
}

/** Field-by-field difference between two versions of a template, as its history records it. */
export type TemplateChanges = Record<string, { from: unknown; to: unknown }>;

export interface StoredTemplate {
  config: TemplateConfig;
  /** Bumped by every change; writes that depend on a read of the template are conditional on it. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** The metadata a static or dynamic client carries itself (instances take theirs from the template). */
export interface ClientConfig extends Presentation, ClientKeys, SubjectSettings {
  client_name?: string;
  capabilities: Capability[];
  redirect_uris: string[];
  scopes: string[];
  token_endpoint_auth_methods: ClientAuthMethod[];
  access_token_ttl: number;
  refresh_token_ttl: number;
  id_token_signed_response_alg: IdTokenAlg;
  /** Earns a static client IATs for non-templatized registration (when that mode is on). */
  may_register_clients?: boolean;
  /** A designated resource server: may introspect any token, not only its own. */
  resource_server?: boolean;
  /** As for templates: false lets a confidential client skip PKCE; absent means true. */
  pkce_required?: boolean;
  /** As for templates: the RFC 8707 resources it may ask tokens for. */
  resources?: string[];
  /** As for templates: every token request must carry a DPoP proof (RFC 9449 5.2). */
  dpop_bound_access_tokens?: boolean;
  /** As for templates: its authorization requests must be pushed (RFC 9126). */
  require_pushed_authorization_requests?: boolean;
  /** As for templates: where an RP-initiated logout may send the browser back to. */
  post_logout_redirect_uris?: string[];
}

export interface StaticClientConfig extends ClientConfig {
  may_register_clients: boolean;
  resource_server: boolean;
}

/** What an instance may choose for itself within its template, its own keys included. */
export interface InstanceChoices extends ClientKeys {
  client_name?: string;
  redirect_uris?: string[];
  token_endpoint_auth_method?: ClientAuthMethod;
}

interface Identity {
  clientId: string;
  /** SHA-256 (hex) of the client secret; null for a public client. */
  secretHash: string | null;
  issuedAt: number;
  lastUsedAt: number | null;
}

/**
 * How a registered client came to be: the inventory's provenance. With an initial access token: its `jti` and the
 * client it was issued to. By open registration: neither, and a keyed hash of the registering IP instead.
 */
export interface Provenance {
  /** The `jti` of the initial access token that made it: one client per IAT, ever. */
  createdByIat: string | null;
  createdByClient: string | null;
  /** The user who logged in for a user-authenticated registration. */
  createdByUser: string | null;
  /** Open registration: HMAC-SHA256 of the client's IP address (never the address itself). */
  createdByIpHash: string | null;
  registrationTokenHash: string;
}

export type StaticClient = Identity & { kind: 'static'; config: StaticClientConfig };
export type InstanceClient = Identity & Provenance & { kind: 'instance'; templateName: string; choices: InstanceChoices };
export type DynamicClient = Identity & Provenance & { kind: 'dynamic'; config: ClientConfig };
/**
 * A client whose id is the https URL of its metadata document, on a host a `metadata_document` template allows.
 * Nothing is stored for it: the store makes one up when the template matches, and the document is fetched apart.
 */
export type MetadataDocumentClient = Identity & { kind: 'metadata_document'; secretHash: null; templateName: string };
export type StoredClient = StaticClient | InstanceClient | DynamicClient | MetadataDocumentClient;
/** A user's approval of what an unverified client asked for: remembered per user and client. */
export interface Consent {
  scopes: string[];
}

/** What registration stores: an instance or a dynamic client, before anyone used it. */
export type RegisteredClient = Omit<InstanceClient, 'lastUsedAt'> | Omit<DynamicClient, 'lastUsedAt'>;

/** Which enabled templates name a static client as their registrar, by mode. */
export interface RegistrarRoles {
  /** Some enabled template lets it register instances by client_credentials. */
  clients: boolean;
  /** Users log in through it to register instances of some enabled template (it may ask for `dcr` in the code flow). */
  users: boolean;
}

/** A client no template names as registrar (every instance and dynamic client). */
export const NO_REGISTRAR_ROLES: RegistrarRoles = { clients: false, users: false };

/** OpenID Connect Core 5.1 standard claims of a user. */
export interface UserClaims {
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  address?: {
    formatted?: string;
    street_address?: string;
    locality?: string;
    region?: string;
    postal_code?: string;
    country?: string;
  };
}

/** Failed sign-ins in a row for a submitted username, whether or not such a user exists (src/users/sign-in.ts). */
export interface LoginFailures {
  failures: number;
  lastFailedAt: number;
  /** No sign-in for this username is checked before this time (ms since epoch); null when not locked. */
  lockedUntil: number | null;
}

/**
 * After `maxFailures` failed sign-ins in a row a username is locked for `lockoutSeconds`; each further failure (one
 * per lockout, since none is checked while locked) doubles that, up to `maxLockoutSeconds`. Failures are forgotten
 * at the next success, or `memorySeconds` after the last one.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockoutSeconds: number;
  maxLockoutSeconds: number;
  memorySeconds: number;
}

export interface StoredUser {
  username: string;
  /** The opaque, never reused `sub` in tokens. */
  subject: string;
  passwordHash: string;
  claims: UserClaims;
  createdAt: number;
  updatedAt: number;
}

/**
 * What the audit trail records (README "Operating"): each type is emitted where it happens, stored in D1 off the
 * response's path and logged.
 */
export const AUDIT_EVENT_TYPES = [
  'initial_access_token.issued',
  'initial_access_token.consumed',
  'registration.created',
  'registration.updated',
  'registration.deleted',
  'login.succeeded',
  'login.failed',
  /** A user confirmed an RP-initiated logout: the session cookie is cleared. */
  'logout.succeeded',
  /** A used code presented again by its client: its grant is revoked. */
  'authorization_code.replayed',
  /** A rotated-out refresh token presented again: its family is revoked. */
  'refresh_token.replayed',
  'template.created',
  'template.updated',
  'template.deleted',
  'template.instances_deleted',
  'template.instance_secrets_rotated',
  'static_client.created',
  'static_client.updated',
  'static_client.deleted',
  'user.created',
  'user.updated',
  'user.deleted',
  /** The first token signed anywhere with a key. */
  'signing_key.activated',
  /** A request refused by a rate limit or a lockout: once per key and window (src/limits/rate-limits.ts). */
  'rate_limit.exceeded',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who and what an event is about, where it applies. Never a secret, token, code or password. */
export interface AuditSubjects {
  clientId?: string | null;
  template?: string | null;
  username?: string | null;
  /** A user's `sub`, where the username is not at hand. */
  subject?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<AuditSubjects> {
  type: AuditEventType;
  /** ms since epoch: the request's clock reading. */
  at: number;
  requestId: string;
  /** The caller's address, where Cloudflare gave one. */
  ip: string | null;
}

export interface StoredAuditEvent extends AuditEvent {
  id: number;
}

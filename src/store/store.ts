import type {
  AuditEvent,
  AuditEventType,
  ClientConfig,
  Consent,
  InstanceChoices,
  InstanceClient,
  LockoutPolicy,
  LoginFailures,
  RegisteredClient,
  RegistrarRoles,
  StaticClient,
  StaticClientConfig,
  StoredAuditEvent,
  StoredClient,
  StoredTemplate,
  StoredUser,
  TemplateChanges,
  TemplateConfig,
  UserClaims,
} from '../model';

/**
 * What the domain needs from storage, in its own terms. D1 sits behind it (src/store/d1/); routes build one per
 * request in the request's dependencies, as they do the ledger. Each method is at most one round trip.
 */

/** A client, its template as it is now (instances; null when deleted), and which templates name it registrar. */
export interface ClientRecord {
  client: StoredClient;
  template: StoredTemplate | null;
  registrarRoles: RegistrarRoles;
}

export interface LookupRequest {
  clientId: string;
  /** Also the user with this subject (a session's or a grant's). */
  userSubject?: string;
  /** Also the user with this username (a login). */
  username?: string;
  /** Also that user's consent to this client. */
  consent?: boolean;
  /**
   * The client id is an https URL on this host: when no client has that id, the client is a metadata-document client
   * of the enabled `metadata_document` template that allows the host (if any).
   */
  metadataDocumentHost?: string;
}

export interface Lookup {
  client: ClientRecord | null;
  user: StoredUser | null;
  /** The user's consent to the client, when asked for and given. */
  consent: Consent | null;
  /** With `username`: its failed sign-ins, read before any password is checked. */
  loginFailures: LoginFailures | null;
}

/** `template-changed`: the template is not at the version the registration was validated against (or gone). */
export type RegisteredInsert = 'inserted' | 'iat-used' | 'template-changed';

export interface TemplateChange {
  /** Its place in the history: increasing, never reused. */
  seq: number;
  version: number | null;
  changedAt: number;
  changes: TemplateChanges;
}

export type TemplateReplace = { template: StoredTemplate } | { missing: true } | { conflict: true };

/** A page of a list in key order: up to `limit` items after the key `after` (from the start without one). */
export interface PageRequest<K> {
  after?: K;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Whether items follow the last one. */
  more: boolean;
}

/** How much a template is used: its instances, and the last time any of them authenticated. */
export interface TemplateUsage {
  instances: number;
  lastUsedAt: number | null;
}

/** Instances in issue order (ties broken by client id); or, when searching, those whose client id starts with a prefix. */
export type InstancePageRequest =
  | (PageRequest<{ issuedAt: number; clientId: string }> & { clientIdPrefix?: undefined })
  | (PageRequest<string> & { clientIdPrefix: string });

export interface Counts {
  templates: number;
  instances: number;
  staticClients: number;
  dynamicClients: number;
  users: number;
}

/** A conditional write's outcome: done, nothing to write to, or the thing changed since it was read. */
export type ConditionalWrite<T> = { written: T } | { missing: true } | { conflict: true };

export interface TemplateStore {
  get(name: string): Promise<StoredTemplate | null>;
  /**
   * The template as this isolate last read it (read now when it never has): possibly stale, so a write that relies
   * on it must be conditional on its version.
   */
  recent(name: string): Promise<StoredTemplate | null>;
  /** Templates by name. */
  page(request: PageRequest<string>): Promise<Page<StoredTemplate>>;
  /** Instance counts and last use of the named templates (absent: no instances). */
  usage(names: readonly string[]): Promise<Map<string, TemplateUsage>>;
  /** False when a template of that name exists already. */
  insert(config: TemplateConfig, changes: TemplateChanges, now: number): Promise<boolean>;
  /** Replaces the template if it is still at `expectedVersion` (optimistic), recording `changes` in its history. */
  replace(config: TemplateConfig, expectedVersion: number, changes: TemplateChanges, now: number): Promise<TemplateReplace>;
  /** Deletes the template and its instances (with `expectedVersion`, only at that version); the history keeps a record. */
  delete(name: string, now: number, expectedVersion?: number): Promise<boolean>;
  /** Oldest first, paged by `seq`. */
  history(name: string, request: PageRequest<number>): Promise<Page<TemplateChange>>;
}

export interface ClientStore {
  getStatic(clientId: string): Promise<StaticClient | null>;
  /** Static clients by client id. */
  pageStatic(request: PageRequest<string>): Promise<Page<StaticClient>>;
  /** False when the client id is taken. */
  /** `secretHash` null: a public client. */
  insertStatic(client: { clientId: string; secretHash: string | null; config: StaticClientConfig; now: number }): Promise<boolean>;
  /**
   * Replaces a static client's metadata, and its secret when a hash is given (null: it becomes public); with
   * `expected`, only while its metadata is still that (optimistic).
   */
  updateStatic(client: {
    clientId: string;
    config: StaticClientConfig;
    secretHash?: string | null;
    expected?: StaticClientConfig;
  }): Promise<ConditionalWrite<StaticClient>>;
  /** With `expected`, only while its metadata is still that. */
  deleteStatic(clientId: string, expected?: StaticClientConfig): Promise<boolean>;
  /**
   * Stores a registered client, all or nothing. An instance only while its template is still enabled at
   * `templateVersion`; never a second client for one IAT.
   */
  insertRegistered(client: RegisteredClient, templateVersion: number | null): Promise<RegisteredInsert>;
  /** RFC 7592 update, only while `presentedTokenHash` is the current registration access token (compare-and-swap). */
  updateRegistered(update: {
    clientId: string;
    presentedTokenHash: string;
    config: InstanceChoices | ClientConfig;
    newTokenHash: string;
  }): Promise<boolean>;
  /** RFC 7592 delete, by the holder of the current registration access token. */
  deleteRegistered(clientId: string, presentedTokenHash: string): Promise<boolean>;
  /** Every instance of a template (rotation needs them all at once). */
  listInstances(templateName: string): Promise<InstanceClient[]>;
  pageInstances(templateName: string, request: InstancePageRequest): Promise<Page<InstanceClient>>;
  deleteInstance(templateName: string, clientId: string): Promise<boolean>;
  /** Revokes every instance of a template at once; returns how many there were. */
  deleteAllInstances(templateName: string): Promise<number>;
  /** New secret hashes for many confidential instances in one transaction: all rotate or none do (public ones never get one). */
  replaceInstanceSecrets(templateName: string, secretHashes: readonly { clientId: string; secretHash: string }[]): Promise<void>;
  /** Notes a successful client authentication; cheap and best effort, off the response path. */
  recordUse(client: { clientId: string; lastUsedAt: number | null }, now: number): Promise<void>;
}

export interface UserStore {
  get(username: string): Promise<StoredUser | null>;
  /** Users by username. */
  page(request: PageRequest<string>): Promise<Page<StoredUser>>;
  /** False when the username is taken. */
  insert(user: { username: string; subject: string; passwordHash: string; claims: UserClaims; now: number }): Promise<boolean>;
  /**
   * Changes what is given; with `expectedUpdatedAt`, only while the user is still at that version. `updatedAt` only
   * ever grows, so it serves as the user's version.
   */
  update(update: {
    username: string;
    passwordHash?: string;
    claims?: UserClaims;
    now: number;
    expectedUpdatedAt?: number;
  }): Promise<ConditionalWrite<StoredUser>>;
  /** The user as it was; null when there is no such user (or, with `expectedUpdatedAt`, no longer at that version). */
  delete(username: string, expectedUpdatedAt?: number): Promise<StoredUser | null>;
  /**
   * Counts a failed sign-in for `username` (a user's or not) and locks it as `policy` says, atomically: concurrent
   * failures all count. Sweeps a few long-forgotten rows in the same round trip.
   */
  recordLoginFailure(username: string, now: number, policy: LockoutPolicy): Promise<LoginFailures>;
  /** Forgets the failed sign-ins of `username` (after a success). */
  clearLoginFailures(username: string): Promise<void>;
}

/** A position in the audit trail, newest first: the page after it starts with the next older event. */
export interface AuditCursor {
  at: number;
  id: number;
}

export interface AuditQuery {
  type?: AuditEventType;
  clientId?: string;
  template?: string;
  /** A username or a user's subject. */
  user?: string;
  /** Inclusive, ms since epoch. */
  since?: number;
  /** Exclusive, ms since epoch. */
  until?: number;
  after?: AuditCursor;
  limit: number;
}

/** A signing key seen signing, and the event that records its first use. */
export interface KeyActivation {
  kid: string;
  alg: string;
  event: AuditEvent;
}

/** What one request hands the audit trail. */
export interface AuditAppend {
  events: readonly AuditEvent[];
  activations: readonly KeyActivation[];
  /** Events older than this may be swept. */
  retainAfter: number;
  /** Told, once stored, which activations were the key's first use anywhere. */
  activated(events: AuditEvent[]): void;
}

export interface AuditStore {
  /**
   * Appends the events, and each key's activation event the first time that key is recorded as signing (once ever,
   * across isolates); sweeps a bounded number of events older than `retainAfter`. The requests of one isolate that
   * append within a few milliseconds share one round trip (group commit): the promise of the request that opened the
   * batch settles when it is written; the others' settle at once, their events riding on that write.
   */
  append(entry: AuditAppend): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<StoredAuditEvent[]>;
}

export interface ConsentStore {
  /** Records (or widens) what the user approved for the client. */
  grant(consent: { subject: string; clientId: string; scopes: readonly string[]; now: number }): Promise<void>;
}

export interface Store {
  /** Readiness: the database answers a query. */
  ping(): Promise<void>;
  /** The client, the user, the consent and a login's failed sign-ins a request names, in one round trip. */
  lookUp(request: LookupRequest): Promise<Lookup>;
  /** How many of each there are, for the console's overview. */
  counts(): Promise<Counts>;
  templates: TemplateStore;
  clients: ClientStore;
  users: UserStore;
  consents: ConsentStore;
  audit: AuditStore;
}

import type { RequestDeps } from '../deps';
import type { StaticClient, StaticClientConfig, StoredTemplate, StoredUser } from '../model';
import type { ConditionalWrite, Page, PageRequest } from '../store/store';
import { randomToken, sha256Hex } from '../tokens/secrets';
import { hashPassword } from '../users/password';
import { newUserSchema, userUpdateSchema } from '../users/schemas';
import { staticClientSchema, templateSchema } from './schemas';
import { templateChanges } from './template-changes';
import { staticClientView, templateView, userView } from './views';
import { InvalidInput, conflict, notFound, validated } from './input';
import { CREDENTIAL_OF } from '../oauth/client';
import { sectorDocumentProblem } from '../dcr/sector-identifier';

/**
 * What the admin API and the console do with templates, static clients and users: validate, write through the
 * store, and tell the audit trail. Domain code: it gets the request's deps and plain values, never Hono's context.
 */

type Deps = Pick<RequestDeps, 'store' | 'now' | 'audit' | 'documents'>;
export type View = Record<string, unknown>;

export interface Resource<Stored, V extends View = View> {
  /** `template "x"`, for messages. */
  what(key: string): string;
  /** The body field that names it (and the path's last segment). */
  keyField: string;
  /** Fields the representation shows that input does not set: ignored when they say what is stored, refused if not. */
  readOnly: readonly string[];
  /** Bookkeeping that changes by use, not by an admin (last use): ignored whatever it says, and outside the ETag. */
  volatile: readonly string[];
  read(deps: Deps, key: string): Promise<Stored | null>;
  view(stored: Stored): V;
  keyOf(stored: Stored): string;
  page(deps: Deps, request: PageRequest<string>): Promise<Page<Stored>>;
  /** Replaces it with what `input` says, if it is still `current` (optimistic). */
  replace(deps: Deps, input: View, current: Stored): Promise<ConditionalWrite<Stored>>;
  /** Deletes it; with `current`, only while it is still that. */
  remove(deps: Deps, key: string, current?: Stored): Promise<boolean>;
}

export const templates: Resource<StoredTemplate, ReturnType<typeof templateView>> = {
  what: (name) => `template "${name}"`,
  keyField: 'name',
  readOnly: ['version', 'created_at', 'updated_at'],
  volatile: [],
  read: ({ store }, name) => store.templates.get(name),
  view: templateView,
  keyOf: (t) => t.config.name,
  page: ({ store }, request) => store.templates.page(request),
  async replace(deps, input, current) {
    const { store, now, audit } = deps;
    const config = await withSectorDocument(deps, validated(templateSchema, input));
    const changes = templateChanges(current.config, config);
    const result = await store.templates.replace(config, current.version, changes, now);
    if (!('template' in result)) return result;
    audit.record('template.updated', { template: config.name, details: { version: result.template.version, changes } });
    return { written: result.template };
  },
  async remove({ store, now, audit }, name, current) {
    const deleted = await store.templates.delete(name, now, current?.version);
    if (deleted) audit.record('template.deleted', { template: name });
    return deleted;
  },
};

export const staticClients: Resource<StaticClient, ReturnType<typeof staticClientView>> = {
  what: (clientId) => `static client "${clientId}"`,
  keyField: 'client_id',
  readOnly: ['issued_at'],
  volatile: ['last_used_at'],
  read: ({ store }, clientId) => store.clients.getStatic(clientId),
  view: staticClientView,
  keyOf: (c) => c.clientId,
  page: ({ store }, request) => store.clients.pageStatic(request),
  async replace(deps, input, current) {
    const { store, audit } = deps;
    // A client_secret in the body rotates it; without one the secret stays; turning public (`none`) or to keys drops it.
    const { client_id: clientId, client_secret: secret, ...config } = await withSectorDocument(deps, validated(staticClientSchema, input));
    const secretHash = hasNoSecret(config) ? null : secret === undefined ? undefined : await sha256Hex(secret);
    const result = await store.clients.updateStatic({ clientId, config, secretHash, expected: current.config });
    if ('written' in result) audit.record('static_client.updated', { clientId, details: { secret_changed: secret !== undefined } });
    return result;
  },
  async remove({ store, audit }, clientId, current) {
    const deleted = await store.clients.deleteStatic(clientId, current?.config);
    if (deleted) audit.record('static_client.deleted', { clientId });
    return deleted;
  },
};

export const users: Resource<StoredUser, ReturnType<typeof userView>> = {
  what: (username) => `user "${username}"`,
  keyField: 'username',
  readOnly: ['sub', 'created_at', 'updated_at'],
  volatile: [],
  read: ({ store }, username) => store.users.get(username),
  view: userView,
  keyOf: (u) => u.username,
  page: ({ store }, request) => store.users.page(request),
  async replace({ store, now, audit }, input, current) {
    const { password, claims } = validated(userUpdateSchema, input);
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const { username, subject, updatedAt } = current;
    const result = await store.users.update({ username, passwordHash, claims, now, expectedUpdatedAt: updatedAt });
    if ('written' in result) {
      const details = { password_changed: password !== undefined, claims_changed: claims !== undefined };
      audit.record('user.updated', { username, subject, details });
    }
    return result;
  },
  async remove({ store, audit }, username, current) {
    const deleted = await store.users.delete(username, current?.updatedAt);
    if (deleted) audit.record('user.deleted', { username, subject: deleted.subject });
    return deleted !== null;
  },
};

/**
 * A representation sent back (PUT, or a merge patch's result) as replace input: the key must be the resource's,
 * read-only fields must say what is stored (then they are dropped), volatile ones are dropped.
 */
export function inputFromRepresentation<S>(resource: Resource<S>, key: string, body: View, current: View): View {
  const input = { ...body };
  const issues = [];
  if (input[resource.keyField] !== undefined && input[resource.keyField] !== key) {
    issues.push({ path: resource.keyField, message: `must match the path ("${key}")` });
  }
  input[resource.keyField] = key;
  for (const field of resource.readOnly) {
    if (field in input && JSON.stringify(input[field]) !== JSON.stringify(current[field])) {
      issues.push({ path: field, message: `is read-only and is now ${JSON.stringify(current[field])}; read it again and resend` });
    }
  }
  if (issues.length) throw new InvalidInput(issues);
  for (const field of [...resource.readOnly, ...resource.volatile]) delete input[field];
  return input;
}

/**
 * The configuration, once its sector_identifier_uri (if any) lists all its redirect URIs (src/dcr/sector-identifier.ts):
 * else a 400 naming the field, and nothing is written.
 */
async function withSectorDocument<T extends { sector_identifier_uri?: string; redirect_uris: string[] }>(
  { documents, now }: Deps,
  config: T,
): Promise<T> {
  if (config.sector_identifier_uri === undefined) return config;
  const client = { sectorIdentifierUri: config.sector_identifier_uri, redirectUris: config.redirect_uris };
  const problem = await sectorDocumentProblem(documents, client, now);
  if (problem) throw new InvalidInput([{ path: 'sector_identifier_uri', message: problem }]);
  return config;
}

export async function createTemplate(deps: Deps, input: unknown): Promise<StoredTemplate> {
  const { store, now, audit } = deps;
  const config = await withSectorDocument(deps, validated(templateSchema, input));
  const changes = templateChanges(null, config);
  if (!(await store.templates.insert(config, changes, now))) throw conflict(templates.what(config.name));
  audit.record('template.created', { template: config.name, details: { changes } });
  return (await store.templates.get(config.name))!;
}

/** Only a client with a secret method has a secret: a public one (`none`) or one with keys (`private_key_jwt`) has none. */
const hasNoSecret = (config: StaticClientConfig) =>
  !config.token_endpoint_auth_methods.some((method) => CREDENTIAL_OF[method] === 'secret');

/** A new static client and its secret (given, or generated; none for a public client): the only time it is known. */
export async function createStaticClient(deps: Deps, input: unknown): Promise<{ client: StaticClient; secret: string | null }> {
  const { store, now, audit } = deps;
  const {
    client_id: clientId,
    client_secret: givenSecret,
    ...config
  } = await withSectorDocument(deps, validated(staticClientSchema, input));
  const secret = hasNoSecret(config) ? null : (givenSecret ?? randomToken(32));
  if (!(await store.clients.insertStatic({ clientId, secretHash: secret && (await sha256Hex(secret)), config, now }))) {
    throw conflict(staticClients.what(clientId));
  }
  audit.record('static_client.created', { clientId });
  return { client: (await store.clients.getStatic(clientId))!, secret };
}

/** A new secret for a confidential static client, shown once (null: it changed meanwhile, or has no secret). */
export async function rotateStaticSecret(deps: Deps, current: StaticClient): Promise<{ written: StaticClient; secret: string } | null> {
  if (hasNoSecret(current.config)) return null;
  const secret = randomToken(32);
  const result = await deps.store.clients.updateStatic({
    clientId: current.clientId,
    config: current.config,
    secretHash: await sha256Hex(secret),
    expected: current.config,
  });
  if (!('written' in result)) return null;
  deps.audit.record('static_client.updated', { clientId: current.clientId, details: { secret_changed: true } });
  return { written: result.written, secret };
}

export async function createUser({ store, now, audit }: Deps, input: unknown): Promise<StoredUser> {
  const { username, password, claims } = validated(newUserSchema, input);
  const subject = randomToken(16);
  const created = await store.users.insert({ username, subject, passwordHash: await hashPassword(password), claims, now });
  if (!created) throw conflict(users.what(username));
  audit.record('user.created', { username, subject });
  return (await store.users.get(username))!;
}

async function existingTemplate({ store }: Deps, name: string): Promise<string> {
  if (!(await store.templates.get(name))) throw notFound(templates.what(name));
  return name;
}

/** Revokes every instance of a template at once; how many there were. */
export async function revokeAllInstances(deps: Deps, templateName: string): Promise<number> {
  const revoked = await deps.store.clients.deleteAllInstances(await existingTemplate(deps, templateName));
  deps.audit.record('template.instances_deleted', { template: templateName, details: { count: revoked } });
  return revoked;
}

export async function revokeInstance({ store, audit }: Deps, templateName: string, clientId: string): Promise<void> {
  if (!(await store.clients.deleteInstance(templateName, clientId))) throw notFound(`instance "${clientId}" of "${templateName}"`);
  audit.record('template.instances_deleted', { template: templateName, clientId, details: { count: 1 } });
}

/** New secrets for every instance, all or none; the only time they are shown. */
export async function rotateInstanceSecrets(deps: Deps, templateName: string): Promise<{ client_id: string; client_secret: string }[]> {
  const name = await existingTemplate(deps, templateName);
  // Public instances have no secret to rotate.
  const confidential = (await deps.store.clients.listInstances(name)).filter((instance) => instance.secretHash !== null);
  const rotated = await Promise.all(
    confidential.map(async ({ clientId }) => {
      const clientSecret = randomToken(32);
      return { clientId, clientSecret, secretHash: await sha256Hex(clientSecret) };
    }),
  );
  await deps.store.clients.replaceInstanceSecrets(name, rotated);
  deps.audit.record('template.instance_secrets_rotated', { template: name, details: { count: rotated.length } });
  return rotated.map((r) => ({ client_id: r.clientId, client_secret: r.clientSecret }));
}

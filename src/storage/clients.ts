import type { ClientConfig, SecretAuthMethod, StaticClientConfig } from '../admin/schemas';
import { templateFromRow, type StoredTemplate } from './templates';

/** Clients in D1: static clients and template instances share one table and one id space. */

/** What an instance may choose for itself within its template. */
export interface InstanceChoices {
  client_name?: string;
  redirect_uris?: string[];
  token_endpoint_auth_method?: SecretAuthMethod;
}

interface ClientRow {
  client_id: string;
  kind: 'static' | 'instance' | 'dynamic';
  template_name: string | null;
  secret_hash: string | null;
  config: string;
  created_by_iat: string | null;
  created_by_client: string | null;
  issued_at: number;
  registration_token_hash: string | null;
  last_used_at: number | null;
  created_by_user: string | null;
  /** Only in findClientWithTemplate: 1 when a template registers via users logging in through this client. */
  user_registrar?: number;
}

interface Provenance {
  createdByIat: string;
  createdByClient: string;
  /** The user who logged in for a user-authenticated registration. */
  createdByUser: string | null;
  registrationTokenHash: string;
}

interface Identity {
  clientId: string;
  /** Null for a public client. */
  secretHash: string | null;
  issuedAt: number;
  lastUsedAt: number | null;
}

export type StoredClient =
  | (Identity & { kind: 'static'; secretHash: string; config: StaticClientConfig; userRegistrar: boolean })
  | (Identity & Provenance & { kind: 'instance'; secretHash: string; templateName: string; choices: InstanceChoices })
  | (Identity & Provenance & { kind: 'dynamic'; config: ClientConfig });

export type InstanceClient = Extract<StoredClient, { kind: 'instance' }>;
export type DynamicClient = Extract<StoredClient, { kind: 'dynamic' }>;
/** What registration stores: an instance or a dynamic client, before anyone used it. */
export type RegisteredClient = Omit<InstanceClient, 'lastUsedAt'> | Omit<DynamicClient, 'lastUsedAt'>;

function clientFromRow(row: ClientRow): StoredClient {
  const identity = { clientId: row.client_id, issuedAt: row.issued_at, lastUsedAt: row.last_used_at };
  if (row.kind === 'static') {
    return {
      kind: 'static',
      ...identity,
      secretHash: row.secret_hash!,
      config: JSON.parse(row.config),
      userRegistrar: row.user_registrar === 1,
    };
  }
  const provenance = {
    createdByIat: row.created_by_iat!,
    createdByClient: row.created_by_client!,
    createdByUser: row.created_by_user,
    registrationTokenHash: row.registration_token_hash!,
  };
  if (row.kind === 'dynamic')
    return { kind: 'dynamic', ...identity, ...provenance, secretHash: row.secret_hash, config: JSON.parse(row.config) };
  return {
    kind: 'instance',
    ...identity,
    ...provenance,
    secretHash: row.secret_hash!,
    templateName: row.template_name!,
    choices: JSON.parse(row.config),
  };
}

type JoinedRow = ClientRow & {
  t_name: string | null;
  t_config: string;
  t_enabled: number;
  t_version: number;
  t_created_at: number;
  t_updated_at: number;
};

/** A client and, for an instance, its template as it is right now (null when deleted). One query. */
export async function findClientWithTemplate(
  db: D1Database,
  clientId: string,
): Promise<{ client: StoredClient; template: StoredTemplate | null } | null> {
  const row = await db
    .prepare(
      `SELECT c.*, t.name AS t_name, t.config AS t_config, t.enabled AS t_enabled, t.version AS t_version,
              t.created_at AS t_created_at, t.updated_at AS t_updated_at,
              CASE WHEN c.kind = 'static' THEN EXISTS (
                SELECT 1 FROM templates ut, json_each(ut.config, '$.registration.via_clients') AS via
                WHERE ut.enabled = 1 AND via.value = c.client_id
              ) ELSE 0 END AS user_registrar
       FROM clients c LEFT JOIN templates t ON t.name = c.template_name WHERE c.client_id = ?`,
    )
    .bind(clientId)
    .first<JoinedRow>();
  if (!row) return null;
  const template =
    row.t_name === null
      ? null
      : templateFromRow({
          name: row.t_name,
          config: row.t_config,
          enabled: row.t_enabled,
          version: row.t_version,
          created_at: row.t_created_at,
          updated_at: row.t_updated_at,
        });
  return { client: clientFromRow(row), template };
}

export async function getStaticClient(db: D1Database, clientId: string): Promise<StoredClient | null> {
  const row = await db.prepare("SELECT * FROM clients WHERE client_id = ? AND kind = 'static'").bind(clientId).first<ClientRow>();
  return row ? clientFromRow(row) : null;
}

export async function listStaticClients(db: D1Database): Promise<StoredClient[]> {
  const { results } = await db.prepare("SELECT * FROM clients WHERE kind = 'static' ORDER BY client_id").all<ClientRow>();
  return results.map(clientFromRow);
}

/** False when the client id is taken (by a static client or an instance). */
export async function insertStaticClient(
  db: D1Database,
  input: { clientId: string; secretHash: string; config: StaticClientConfig; now: number },
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `INSERT INTO clients (client_id, kind, secret_hash, config, issued_at) VALUES (?, 'static', ?, ?, ?)
       ON CONFLICT (client_id) DO NOTHING`,
    )
    .bind(input.clientId, input.secretHash, JSON.stringify(input.config), input.now)
    .run();
  return meta.changes === 1;
}

/** Replaces a static client's metadata, and its secret when one is given. False when there is no such client. */
export async function updateStaticClient(
  db: D1Database,
  input: { clientId: string; config: StaticClientConfig; secretHash?: string },
): Promise<boolean> {
  const { meta } = await db
    .prepare(`UPDATE clients SET config = ?, secret_hash = COALESCE(?, secret_hash) WHERE client_id = ? AND kind = 'static'`)
    .bind(JSON.stringify(input.config), input.secretHash ?? null, input.clientId)
    .run();
  return meta.changes === 1;
}

export async function deleteStaticClient(db: D1Database, clientId: string): Promise<boolean> {
  const { meta } = await db.prepare("DELETE FROM clients WHERE client_id = ? AND kind = 'static'").bind(clientId).run();
  return meta.changes === 1;
}

export class IatAlreadyUsedError extends Error {}

/**
 * One INSERT: either the whole client exists afterwards or nothing does. The UNIQUE column
 * `created_by_iat` holds "one client per IAT" at storage level, behind the ledger.
 */
export async function insertRegisteredClient(db: D1Database, client: RegisteredClient): Promise<void> {
  const isInstance = client.kind === 'instance';
  try {
    await db
      .prepare(
        `INSERT INTO clients (client_id, kind, template_name, secret_hash, config, created_by_iat, created_by_client,
                              created_by_user, issued_at, registration_token_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        client.clientId,
        client.kind,
        isInstance ? client.templateName : null,
        client.secretHash,
        JSON.stringify(isInstance ? client.choices : client.config),
        client.createdByIat,
        client.createdByClient,
        client.createdByUser,
        client.issuedAt,
        client.registrationTokenHash,
      )
      .run();
  } catch (error) {
    if (String(error).includes('UNIQUE constraint failed: clients.created_by_iat')) throw new IatAlreadyUsedError();
    throw error;
  }
}

export async function listInstances(db: D1Database, templateName: string): Promise<StoredClient[]> {
  const { results } = await db
    .prepare("SELECT * FROM clients WHERE kind = 'instance' AND template_name = ? ORDER BY issued_at, client_id")
    .bind(templateName)
    .all<ClientRow>();
  return results.map(clientFromRow);
}

export async function deleteInstance(db: D1Database, templateName: string, clientId: string): Promise<boolean> {
  const { meta } = await db
    .prepare("DELETE FROM clients WHERE client_id = ? AND kind = 'instance' AND template_name = ?")
    .bind(clientId, templateName)
    .run();
  return meta.changes === 1;
}

/**
 * RFC 7592 update of a registered client's own metadata (an instance's choices, a dynamic client's config) with
 * a rotated registration access token, only if the presented token is still the current one (compare-and-swap:
 * one token, one update). False when it is not.
 */
export async function updateRegisteredClient(
  db: D1Database,
  input: { clientId: string; presentedTokenHash: string; config: InstanceChoices | ClientConfig; newTokenHash: string },
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE clients SET config = ?, registration_token_hash = ?
       WHERE client_id = ? AND kind != 'static' AND registration_token_hash = ?`,
    )
    .bind(JSON.stringify(input.config), input.newTokenHash, input.clientId, input.presentedTokenHash)
    .run();
  return meta.changes === 1;
}

/** RFC 7592 delete, by the holder of the current registration access token. */
export async function deleteRegisteredClient(db: D1Database, clientId: string, presentedTokenHash: string): Promise<boolean> {
  const { meta } = await db
    .prepare("DELETE FROM clients WHERE client_id = ? AND kind != 'static' AND registration_token_hash = ?")
    .bind(clientId, presentedTokenHash)
    .run();
  return meta.changes === 1;
}

/** Revokes every instance of a template at once; returns how many there were. */
export async function deleteAllInstances(db: D1Database, templateName: string): Promise<number> {
  const { results } = await db
    .prepare("DELETE FROM clients WHERE kind = 'instance' AND template_name = ? RETURNING client_id")
    .bind(templateName)
    .all();
  return results.length;
}

/** New secret hashes for many instances in one transaction: all rotate or none do. */
export async function replaceInstanceSecrets(
  db: D1Database,
  templateName: string,
  secretHashes: readonly { clientId: string; secretHash: string }[],
): Promise<void> {
  if (secretHashes.length === 0) return;
  const update = db.prepare("UPDATE clients SET secret_hash = ? WHERE client_id = ? AND kind = 'instance' AND template_name = ?");
  await db.batch(secretHashes.map(({ clientId, secretHash }) => update.bind(secretHash, clientId, templateName)));
}

/** How often last use is written at most, per client: enough for an inventory, cheap for the hot path. */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** Records that a client authenticated; skips the write when the stored time is recent enough. */
export async function recordClientUse(db: D1Database, client: { clientId: string; lastUsedAt: number | null }, now: number): Promise<void> {
  if (client.lastUsedAt !== null && client.lastUsedAt > now - LAST_USE_RESOLUTION_MS) return;
  try {
    await db
      .prepare('UPDATE clients SET last_used_at = ? WHERE client_id = ? AND (last_used_at IS NULL OR last_used_at <= ?)')
      .bind(now, client.clientId, now - LAST_USE_RESOLUTION_MS)
      .run();
  } catch (error) {
    // Bookkeeping only: never fail or slow a token request over it.
    console.error('recording client use failed', error);
  }
}

import type { InstanceClient, StaticClient } from '../../model';
import type { ClientStore } from '../store';
import { clientFromRow, type ClientRow } from './rows';
import { pageOf, rowsFor } from './paging';

/** Clients in D1: static clients, template instances and dynamic clients share one table and one id space. */

/** How often last use is written at most, per client: enough for an inventory, cheap for the hot path. */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** When this isolate last wrote each client's last use, so that it writes at most once per resolution per client. */
const recordedUse = new Map<string, number>();
const MAX_RECORDED_USES = 10_000;

const INSERT_REGISTERED = `INSERT INTO clients (client_id, kind, template_name, secret_hash, config, created_by_iat, created_by_client,
                                               created_by_user, issued_at, registration_token_hash, created_by_ip_hash)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11`;

export function d1Clients(db: D1Database): ClientStore {
  return {
    async getStatic(clientId) {
      const row = await db.prepare("SELECT * FROM clients WHERE client_id = ? AND kind = 'static'").bind(clientId).first<ClientRow>();
      return row ? (clientFromRow(row) as StaticClient) : null;
    },

    async pageStatic({ after, limit }) {
      const { results } = await db
        .prepare("SELECT * FROM clients WHERE kind = 'static' AND client_id > ? ORDER BY client_id LIMIT ?")
        .bind(after ?? '', rowsFor(limit))
        .all<ClientRow>();
      return pageOf(results, limit, (row) => clientFromRow(row) as StaticClient);
    },

    async insertStatic(client) {
      const { meta } = await db
        .prepare(
          `INSERT INTO clients (client_id, kind, secret_hash, config, issued_at) VALUES (?, 'static', ?, ?, ?)
           ON CONFLICT (client_id) DO NOTHING`,
        )
        .bind(client.clientId, client.secretHash, JSON.stringify(client.config), client.now)
        .run();
      return meta.changes === 1;
    },

    async updateStatic(client) {
      // The stored document is what JSON.stringify made of the config, so the expected one compares as text.
      const [updated, current] = await db.batch<ClientRow>([
        db
          .prepare(
            `UPDATE clients SET config = ?1, secret_hash = CASE WHEN ?2 THEN ?3 ELSE secret_hash END
             WHERE client_id = ?4 AND kind = 'static' AND (?5 IS NULL OR config = ?5) RETURNING *`,
          )
          .bind(
            JSON.stringify(client.config),
            client.secretHash !== undefined,
            client.secretHash ?? null,
            client.clientId,
            client.expected ? JSON.stringify(client.expected) : null,
          ),
        db.prepare("SELECT client_id FROM clients WHERE client_id = ? AND kind = 'static'").bind(client.clientId),
      ]);
      const row = updated!.results[0];
      if (row) return { written: clientFromRow(row) as StaticClient };
      return current!.results[0] ? { conflict: true } : { missing: true };
    },

    async deleteStatic(clientId, expected) {
      const { meta } = await db
        .prepare("DELETE FROM clients WHERE client_id = ?1 AND kind = 'static' AND (?2 IS NULL OR config = ?2)")
        .bind(clientId, expected ? JSON.stringify(expected) : null)
        .run();
      return meta.changes === 1;
    },

    /**
     * One INSERT, conditional on the template being enabled at the validated version; `ON CONFLICT DO NOTHING` keeps
     * a second client for one IAT out (the UNIQUE column `created_by_iat` backs the ledger). The SELECT after it, in
     * the same round trip, says which of the three happened (without an IAT, open registration: whether it is there).
     */
    async insertRegistered(client, templateVersion) {
      const isInstance = client.kind === 'instance';
      const values = [
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
        client.createdByIpHash,
      ];
      const insert = isInstance
        ? db
            .prepare(
              `${INSERT_REGISTERED} WHERE EXISTS (SELECT 1 FROM templates WHERE name = ?3 AND version = ?12 AND enabled = 1)
               ON CONFLICT DO NOTHING`,
            )
            .bind(...values, templateVersion)
        : db.prepare(`${INSERT_REGISTERED} WHERE true ON CONFLICT DO NOTHING`).bind(...values);
      const [, made] = await db.batch<{ client_id: string }>([
        insert,
        db
          .prepare('SELECT client_id FROM clients WHERE created_by_iat = ?1 OR (?1 IS NULL AND client_id = ?2)')
          .bind(client.createdByIat, client.clientId),
      ]);
      const owner = made!.results[0]?.client_id;
      if (owner === client.clientId) return 'inserted';
      return owner === undefined ? 'template-changed' : 'iat-used';
    },

    async updateRegistered(update) {
      const { meta } = await db
        .prepare(
          `UPDATE clients SET config = ?, registration_token_hash = ?
           WHERE client_id = ? AND kind != 'static' AND registration_token_hash = ?`,
        )
        .bind(JSON.stringify(update.config), update.newTokenHash, update.clientId, update.presentedTokenHash)
        .run();
      return meta.changes === 1;
    },

    async deleteRegistered(clientId, presentedTokenHash) {
      const { meta } = await db
        .prepare("DELETE FROM clients WHERE client_id = ? AND kind != 'static' AND registration_token_hash = ?")
        .bind(clientId, presentedTokenHash)
        .run();
      return meta.changes === 1;
    },

    async listInstances(templateName) {
      const { results } = await db
        .prepare("SELECT * FROM clients WHERE kind = 'instance' AND template_name = ? ORDER BY issued_at, client_id")
        .bind(templateName)
        .all<ClientRow>();
      return results.map((row) => clientFromRow(row) as InstanceClient);
    },

    async pageInstances(templateName, request) {
      const statement =
        request.clientIdPrefix === undefined
          ? db
              .prepare(
                `SELECT * FROM clients WHERE kind = 'instance' AND template_name = ?1 AND (issued_at, client_id) > (?2, ?3)
                 ORDER BY issued_at, client_id LIMIT ?4`,
              )
              .bind(templateName, request.after?.issuedAt ?? -1, request.after?.clientId ?? '', rowsFor(request.limit))
          : // A range on the client id: the index finds the prefix without a scan.
            db
              .prepare(
                `SELECT * FROM clients WHERE kind = 'instance' AND template_name = ?1 AND client_id >= ?2 AND client_id < ?3
                 AND client_id > ?4 ORDER BY client_id LIMIT ?5`,
              )
              .bind(
                templateName,
                request.clientIdPrefix,
                `${request.clientIdPrefix}\u{10FFFF}`,
                request.after ?? '',
                rowsFor(request.limit),
              );
      const { results } = await statement.all<ClientRow>();
      return pageOf(results, request.limit, (row) => clientFromRow(row) as InstanceClient);
    },

    async deleteInstance(templateName, clientId) {
      const { meta } = await db
        .prepare("DELETE FROM clients WHERE client_id = ? AND kind = 'instance' AND template_name = ?")
        .bind(clientId, templateName)
        .run();
      return meta.changes === 1;
    },

    async deleteAllInstances(templateName) {
      const { results } = await db
        .prepare("DELETE FROM clients WHERE kind = 'instance' AND template_name = ? RETURNING client_id")
        .bind(templateName)
        .all();
      return results.length;
    },

    async replaceInstanceSecrets(templateName, secretHashes) {
      if (secretHashes.length === 0) return;
      const update = db.prepare(
        "UPDATE clients SET secret_hash = ? WHERE client_id = ? AND kind = 'instance' AND template_name = ? AND secret_hash IS NOT NULL",
      );
      await db.batch(secretHashes.map(({ clientId, secretHash }) => update.bind(secretHash, clientId, templateName)));
    },

    async recordUse(client, now) {
      // What this isolate wrote counts too: a cached lookup (CLIENT_CACHE_SECONDS) still shows the old time.
      const recorded = Math.max(client.lastUsedAt ?? 0, recordedUse.get(client.clientId) ?? 0);
      if (recorded > now - LAST_USE_RESOLUTION_MS) return;
      if (recordedUse.size >= MAX_RECORDED_USES) recordedUse.delete(recordedUse.keys().next().value!);
      recordedUse.set(client.clientId, now);
      await db
        .prepare('UPDATE clients SET last_used_at = ? WHERE client_id = ? AND (last_used_at IS NULL OR last_used_at <= ?)')
        .bind(now, client.clientId, now - LAST_USE_RESOLUTION_MS)
        .run();
    },
  };
}

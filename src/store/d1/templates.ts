import type { StoredTemplate, TemplateChanges, TemplateConfig } from '../../model';
import type { TemplateChange, TemplateStore } from '../store';
import { templateDocument, templateFromRow, type TemplateRow } from './rows';
import { pageOf, rowsFor } from './paging';

/** Templates in D1. Reads go to the primary, so an edit is seen by the very next request (docs/architecture.md). */

// Appends to the history only when the statement before it in the same batch changed a row.
const RECORD_CHANGE = 'INSERT INTO template_history (name, version, changed_at, changes) SELECT ?, ?, ?, ? WHERE changes() = 1';

/**
 * The template's indexes follow its configuration: who may register instances (by mode), and which hosts' metadata
 * documents it accepts. Every statement applies only while the template holds exactly the document this write
 * stored, so a write that lost its race (a conflict, a stale version) leaves the indexes alone.
 */
function indexStatements(db: D1Database, config: TemplateConfig, document: string): D1PreparedStatement[] {
  const { registration } = config;
  // Open and metadata-document registration name no registrar.
  const clientIds =
    registration.mode === 'clients' ? registration.allowed_clients : registration.mode === 'users' ? registration.via_clients : [];
  const hosts = registration.mode === 'metadata_document' ? registration.allowed_hosts : [];
  const stillOurs = 'EXISTS (SELECT 1 FROM templates WHERE name = ?1 AND config = ?2)';
  return [
    db.prepare(`DELETE FROM template_registrars WHERE template_name = ?1 AND ${stillOurs}`).bind(config.name, document),
    db
      .prepare(
        `INSERT INTO template_registrars (template_name, client_id, mode) SELECT ?1, value, ?3 FROM json_each(?4) WHERE ${stillOurs}`,
      )
      .bind(config.name, document, registration.mode, JSON.stringify(clientIds)),
    db.prepare(`DELETE FROM template_document_hosts WHERE template_name = ?1 AND ${stillOurs}`).bind(config.name, document),
    db
      .prepare(`INSERT INTO template_document_hosts (host, template_name) SELECT value, ?1 FROM json_each(?3) WHERE ${stillOurs}`)
      .bind(config.name, document, JSON.stringify(hosts)),
  ];
}

/** Templates this isolate has read, for registration's conditional insert (TemplateStore.recent). */
const recentlyRead = new Map<string, StoredTemplate>();
const RECENT_LIMIT = 1000;

function remember(name: string, template: StoredTemplate | null): StoredTemplate | null {
  if (!template) recentlyRead.delete(name);
  else {
    if (recentlyRead.size >= RECENT_LIMIT) recentlyRead.delete(recentlyRead.keys().next().value!);
    recentlyRead.set(name, template);
  }
  return template;
}

export function d1Templates(db: D1Database): TemplateStore {
  const get = async (name: string) => {
    const row = await db.prepare('SELECT * FROM templates WHERE name = ?').bind(name).first<TemplateRow>();
    return remember(name, row ? templateFromRow(row) : null);
  };
  return {
    get,
    recent: async (name) => recentlyRead.get(name) ?? get(name),

    async page({ after, limit }) {
      const { results } = await db
        .prepare('SELECT * FROM templates WHERE name > ? ORDER BY name LIMIT ?')
        .bind(after ?? '', rowsFor(limit))
        .all<TemplateRow>();
      return pageOf(results, limit, templateFromRow);
    },

    async usage(names) {
      const usage = new Map<string, { instances: number; lastUsedAt: number | null }>();
      if (names.length === 0) return usage;
      // The (template_name, last_used_at) index answers both without reading the rows.
      const { results } = await db
        .prepare(
          `SELECT template_name, COUNT(*) AS instances, MAX(last_used_at) AS last_used_at FROM clients
           WHERE template_name IN (SELECT value FROM json_each(?)) GROUP BY template_name`,
        )
        .bind(JSON.stringify(names))
        .all<{ template_name: string; instances: number; last_used_at: number | null }>();
      for (const row of results) usage.set(row.template_name, { instances: row.instances, lastUsedAt: row.last_used_at });
      return usage;
    },

    async insert(config, changes, now) {
      const document = templateDocument(config);
      const [inserted] = await db.batch([
        db
          .prepare(
            `INSERT INTO templates (name, config, enabled, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)
             ON CONFLICT (name) DO NOTHING`,
          )
          .bind(config.name, document, config.enabled ? 1 : 0, now, now),
        db.prepare(RECORD_CHANGE).bind(config.name, 1, now, JSON.stringify(changes)),
        ...indexStatements(db, config, document),
      ]);
      return inserted!.meta.changes === 1;
    },

    async replace(config, expectedVersion, changes, now) {
      const document = templateDocument(config);
      const [updated, ...rest] = await db.batch<TemplateRow>([
        db
          .prepare(
            'UPDATE templates SET config = ?, enabled = ?, version = version + 1, updated_at = ? WHERE name = ? AND version = ? RETURNING *',
          )
          .bind(document, config.enabled ? 1 : 0, now, config.name, expectedVersion),
        db.prepare(RECORD_CHANGE).bind(config.name, expectedVersion + 1, now, JSON.stringify(changes)),
        ...indexStatements(db, config, document),
        db.prepare('SELECT * FROM templates WHERE name = ?').bind(config.name),
      ]);
      const row = updated!.results[0];
      if (row) return { template: remember(config.name, templateFromRow(row))! };
      return rest.at(-1)!.results[0] ? { conflict: true } : { missing: true };
    },

    async delete(name, now, expectedVersion) {
      const [deleted] = await db.batch([
        db
          .prepare('DELETE FROM templates WHERE name = ?1 AND (?2 IS NULL OR version = ?2) RETURNING name')
          .bind(name, expectedVersion ?? null),
        db.prepare(RECORD_CHANGE).bind(name, null, now, JSON.stringify({ deleted: { from: false, to: true } })),
      ]);
      remember(name, null);
      // RETURNING, not meta.changes: D1 counts the cascaded instance rows as changes too.
      return deleted!.results.length === 1;
    },

    async history(name, { after, limit }) {
      const { results } = await db
        .prepare('SELECT id, version, changed_at, changes FROM template_history WHERE name = ? AND id > ? ORDER BY id LIMIT ?')
        .bind(name, after ?? 0, rowsFor(limit))
        .all<{ id: number; version: number | null; changed_at: number; changes: string }>();
      return pageOf(
        results,
        limit,
        (r): TemplateChange => ({
          seq: r.id,
          version: r.version,
          changedAt: r.changed_at,
          changes: JSON.parse(r.changes) as TemplateChanges,
        }),
      );
    },
  };
}

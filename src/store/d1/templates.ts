import type { StoredTemplate, TemplateChanges, TemplateConfig } from '../../model';
import type { TemplateChange, TemplateStore } from '../store';
import { templateDocument, templateFromRow, type TemplateRow } from './rows';

/** Templates in D1. Reads go to the primary, so an edit is seen by the very next request (docs/architecture.md). */

// Appends to the history only when the statement before it in the same batch changed a row.
const RECORD_CHANGE = 'INSERT INTO template_history (name, version, changed_at, changes) SELECT ?, ?, ?, ? WHERE changes() = 1';

/**
 * The registrar index (who may register instances, by mode) follows the template's configuration. Both statements
 * apply only while the template holds exactly the document this write stored, so a write that lost its race (a
 * conflict, a stale version) leaves the index alone.
 */
function registrarStatements(db: D1Database, config: TemplateConfig, document: string): D1PreparedStatement[] {
  const { registration } = config;
  // Open and metadata-document registration name no registrar: the index keeps no row for them.
  const clientIds =
    registration.mode === 'clients' ? registration.allowed_clients : registration.mode === 'users' ? registration.via_clients : [];
  const stillOurs = 'EXISTS (SELECT 1 FROM templates WHERE name = ?1 AND config = ?2)';
  return [
    db.prepare(`DELETE FROM template_registrars WHERE template_name = ?1 AND ${stillOurs}`).bind(config.name, document),
    db
      .prepare(
        `INSERT INTO template_registrars (template_name, client_id, mode) SELECT ?1, value, ?3 FROM json_each(?4) WHERE ${stillOurs}`,
      )
      .bind(config.name, document, registration.mode, JSON.stringify(clientIds)),
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

    async list() {
      const { results } = await db.prepare('SELECT * FROM templates ORDER BY name').all<TemplateRow>();
      return results.map(templateFromRow);
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
        ...registrarStatements(db, config, document),
      ]);
      return inserted!.meta.changes === 1;
    },

    async replace(config, expectedVersion, changes, now) {
      const document = templateDocument(config);
      const [updated, , , , current] = await db.batch<TemplateRow>([
        db
          .prepare(
            'UPDATE templates SET config = ?, enabled = ?, version = version + 1, updated_at = ? WHERE name = ? AND version = ? RETURNING *',
          )
          .bind(document, config.enabled ? 1 : 0, now, config.name, expectedVersion),
        db.prepare(RECORD_CHANGE).bind(config.name, expectedVersion + 1, now, JSON.stringify(changes)),
        ...registrarStatements(db, config, document),
        db.prepare('SELECT * FROM templates WHERE name = ?').bind(config.name),
      ]);
      const row = updated!.results[0];
      if (row) return { template: remember(config.name, templateFromRow(row))! };
      return current!.results[0] ? { conflict: true } : { missing: true };
    },

    async delete(name, now) {
      const [deleted] = await db.batch([
        db.prepare('DELETE FROM templates WHERE name = ? RETURNING name').bind(name),
        db.prepare(RECORD_CHANGE).bind(name, null, now, JSON.stringify({ deleted: { from: false, to: true } })),
      ]);
      remember(name, null);
      // RETURNING, not meta.changes: D1 counts the cascaded instance rows as changes too.
      return deleted!.results.length === 1;
    },

    async history(name) {
      const { results } = await db
        .prepare('SELECT version, changed_at, changes FROM template_history WHERE name = ? ORDER BY id')
        .bind(name)
        .all<{ version: number | null; changed_at: number; changes: string }>();
      return results.map(
        (r): TemplateChange => ({ version: r.version, changedAt: r.changed_at, changes: JSON.parse(r.changes) as TemplateChanges }),
      );
    },
  };
}

import type { TemplateConfig } from '../admin/schemas';
import { templateChanges } from '../admin/template-changes';

/** Templates in D1. Reads go to the primary, so an edit is seen by the very next request. */

export interface StoredTemplate {
  config: TemplateConfig;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface TemplateRow {
  name: string;
  config: string;
  enabled: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export function templateFromRow(row: TemplateRow): StoredTemplate {
  return {
    config: { ...JSON.parse(row.config), name: row.name, enabled: row.enabled === 1 },
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** name and enabled live in their own columns (keys and filters); the rest is one JSON document. */
function storedConfig(config: TemplateConfig): string {
  const { name: _name, enabled: _enabled, ...rest } = config;
  return JSON.stringify(rest);
}

export async function getTemplate(db: D1Database, name: string): Promise<StoredTemplate | null> {
  const row = await db.prepare('SELECT * FROM templates WHERE name = ?').bind(name).first<TemplateRow>();
  return row ? templateFromRow(row) : null;
}

export async function listTemplates(db: D1Database): Promise<StoredTemplate[]> {
  const { results } = await db.prepare('SELECT * FROM templates ORDER BY name').all<TemplateRow>();
  return results.map(templateFromRow);
}

// Appends to the history only when the statement before it in the same batch changed a row.
const RECORD_CHANGE = `INSERT INTO template_history (name, version, changed_at, changes) SELECT ?, ?, ?, ? WHERE changes() = 1`;

/** False when a template of that name exists already. */
export async function insertTemplate(db: D1Database, config: TemplateConfig, now: number): Promise<boolean> {
  const [inserted] = await db.batch([
    db
      .prepare(
        `INSERT INTO templates (name, config, enabled, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)
         ON CONFLICT (name) DO NOTHING`,
      )
      .bind(config.name, storedConfig(config), config.enabled ? 1 : 0, now, now),
    db.prepare(RECORD_CHANGE).bind(config.name, 1, now, JSON.stringify(templateChanges(null, config))),
  ]);
  return inserted!.meta.changes === 1;
}

export type ReplaceResult = { template: StoredTemplate } | { missing: true } | { conflict: true };

/**
 * Replaces a template's configuration, bumps its version and records what changed, in one transaction.
 * Optimistic: if someone else changed it since we read it, nothing is written and `conflict` comes back.
 */
export async function replaceTemplate(db: D1Database, config: TemplateConfig, now: number): Promise<ReplaceResult> {
  const current = await getTemplate(db, config.name);
  if (!current) return { missing: true };
  const [updated] = await db.batch<TemplateRow>([
    db
      .prepare(
        'UPDATE templates SET config = ?, enabled = ?, version = version + 1, updated_at = ? WHERE name = ? AND version = ? RETURNING *',
      )
      .bind(storedConfig(config), config.enabled ? 1 : 0, now, config.name, current.version),
    db.prepare(RECORD_CHANGE).bind(config.name, current.version + 1, now, JSON.stringify(templateChanges(current.config, config))),
  ]);
  const row = updated!.results[0];
  return row ? { template: templateFromRow(row) } : { conflict: true };
}

export interface TemplateChange {
  version: number | null;
  changedAt: number;
  changes: Record<string, unknown>;
}

export async function templateHistory(db: D1Database, name: string): Promise<TemplateChange[]> {
  const { results } = await db
    .prepare('SELECT version, changed_at, changes FROM template_history WHERE name = ? ORDER BY id')
    .bind(name)
    .all<{ version: number | null; changed_at: number; changes: string }>();
  return results.map((r) => ({ version: r.version, changedAt: r.changed_at, changes: JSON.parse(r.changes) }));
}

/** Deleting a template deletes its instances with it (foreign key cascade); the history keeps a record. */
export async function deleteTemplate(db: D1Database, name: string, now: number): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare('DELETE FROM templates WHERE name = ? RETURNING name').bind(name),
    db.prepare(RECORD_CHANGE).bind(name, null, now, JSON.stringify({ deleted: { from: false, to: true } })),
  ]);
  // RETURNING, not meta.changes: D1 counts the cascaded instance rows as changes too.
  return deleted!.results.length === 1;
}

/**
 * May `clientId` register clients? That is what earns it the `dcr` scope: some enabled template lists it, or,
 * when non-templatized registration is on, it is a static client flagged `may_register_clients`.
 */
export async function mayRegisterClients(db: D1Database, clientId: string, nonTemplatized: boolean): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 FROM templates, json_each(templates.config, '$.registration.allowed_clients') AS allowed
       WHERE templates.enabled = 1 AND allowed.value = ?1
       UNION ALL
       SELECT 1 FROM clients
       WHERE ?2 AND client_id = ?1 AND kind = 'static' AND json_extract(config, '$.may_register_clients') = 1
       LIMIT 1`,
    )
    .bind(clientId, nonTemplatized ? 1 : 0)
    .first();
  return row !== null;
}

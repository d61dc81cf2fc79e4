import type { TemplateConfig } from '../admin/schemas';

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

/** False when a template of that name exists already. */
export async function insertTemplate(db: D1Database, config: TemplateConfig, now: number): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `INSERT INTO templates (name, config, enabled, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT (name) DO NOTHING`,
    )
    .bind(config.name, storedConfig(config), config.enabled ? 1 : 0, now, now)
    .run();
  return meta.changes === 1;
}

/** Replaces a template's configuration and bumps its version; null when there is no such template. */
export async function replaceTemplate(db: D1Database, config: TemplateConfig, now: number): Promise<StoredTemplate | null> {
  const row = await db
    .prepare('UPDATE templates SET config = ?, enabled = ?, version = version + 1, updated_at = ? WHERE name = ? RETURNING *')
    .bind(storedConfig(config), config.enabled ? 1 : 0, now, config.name)
    .first<TemplateRow>();
  return row ? templateFromRow(row) : null;
}

/** Deleting a template deletes its instances with it (foreign key cascade). */
export async function deleteTemplate(db: D1Database, name: string): Promise<boolean> {
  // RETURNING, not meta.changes: D1 counts the cascaded instance rows as changes too.
  return (await db.prepare('DELETE FROM templates WHERE name = ? RETURNING name').bind(name).first()) !== null;
}

/** Does some enabled template let `clientId` register instances? That is what earns it the `dcr` scope. */
export async function mayRegisterInstances(db: D1Database, clientId: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 FROM templates, json_each(templates.config, '$.registration.allowed_clients') AS allowed
       WHERE templates.enabled = 1 AND allowed.value = ? LIMIT 1`,
    )
    .bind(clientId)
    .first();
  return row !== null;
}

/**
 * A database's schema as sqlite_master holds it, reduced to what the database does: comments and spacing removed
 * (SQLite keeps a statement's text, comments inside the parentheses included, and drops `IF NOT EXISTS`), and
 * without the tables D1 and the migration runner keep for themselves. Used by the Workers-runtime test that compares
 * migrations/ with schema.sql and by the Node-side upgrade tests.
 */
export const SCHEMA_QUERY = `SELECT type, name, tbl_name, sql FROM sqlite_master
  WHERE substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 4) <> '_cf_' AND name <> 'd1_migrations'
  ORDER BY type, name`;

export interface SchemaEntry {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

export const normalizeSql = (sql: string | null) =>
  sql === null
    ? null
    : sql
        .replace(/--[^\n]*/g, ' ')
        .replace(/\s+/g, ' ')
        .replace(/\s*([(),;])\s*/g, '$1')
        .trim();

export const normalizeSchema = (rows: SchemaEntry[]) => rows.map((row) => ({ ...row, sql: normalizeSql(row.sql) }));

/** A .sql file as statements, the way test/setup.ts applied schema.sql before migrations: comments out, split at `;`. */
export const sqlStatements = (text: string) =>
  text
    .replace(/--.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

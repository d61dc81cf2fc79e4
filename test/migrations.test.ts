import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeSchema, normalizeSql, SCHEMA_QUERY, type SchemaEntry, sqlStatements } from './schema-compare';

// DB was made by test/setup.ts from migrations/ (applyD1Migrations, as wrangler applies them); SCHEMA_DB, a D1
// database that only the tests have, gets schema.sql. Their schemas must be the same.
const schemaOf = async (db: D1Database) => normalizeSchema((await db.prepare(SCHEMA_QUERY).all<SchemaEntry>()).results);

describe('migrations/ and schema.sql', () => {
  beforeAll(async () => {
    await env.SCHEMA_DB.batch(sqlStatements(env.TEST_SCHEMA).map((s) => env.SCHEMA_DB.prepare(s)));
  });

  it('every migration applied to an empty database gives the schema of schema.sql', async () => {
    const fromMigrations = await schemaOf(env.DB);
    const fromSchemaSql = await schemaOf(env.SCHEMA_DB);
    expect(fromSchemaSql.map((e) => e.name)).toContain('templates');
    // On failure: schema.sql and the last migrations disagree. Change schema.sql to what the migrations make.
    expect(fromMigrations).toEqual(fromSchemaSql);
  });

  it('the migrations are numbered 0001, 0002, ... without gaps, and all of them are recorded as applied', async () => {
    const names = env.TEST_MIGRATIONS.map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    names.forEach((name, i) => {
      expect(name).toMatch(/^\d{4}_[a-z0-9_]+\.sql$/);
      expect(Number(name.slice(0, 4))).toBe(i + 1);
    });
    const applied = await env.DB.prepare('SELECT name FROM d1_migrations ORDER BY id').all<{ name: string }>();
    expect(applied.results.map((r) => r.name)).toEqual(names);
  });

  it('the comparison ignores comments and spacing, and nothing else', () => {
    expect(normalizeSql('CREATE TABLE t (\n  a TEXT,   -- note\n  b INTEGER\n)')).toBe(normalizeSql('CREATE TABLE t(a TEXT,b INTEGER)'));
    expect(normalizeSql('CREATE TABLE t (a TEXT, b INTEGER)')).not.toBe(normalizeSql('CREATE TABLE t (b INTEGER, a TEXT)'));
    expect(normalizeSql('CREATE TABLE t (a TEXT NOT NULL)')).not.toBe(normalizeSql('CREATE TABLE t (a TEXT)'));
  });
});

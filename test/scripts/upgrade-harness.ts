import { join } from 'node:path';
import { type D1Migration, readD1Migrations } from '@cloudflare/vitest-plugin';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { normalizeSchema, SCHEMA_QUERY, type SchemaEntry } from '../schema-compare';

export const ROOT = join(import.meta.dirname, '../..');

/** migrations/ as wrangler reads them: in file-name order, each split into statements. */
export const realMigrations = () => readD1Migrations(join(ROOT, 'migrations'));

type D1 = Awaited<ReturnType<Miniflare['getD1Database']>>;

/**
 * An upgrade test: `before` writes data into a database that has every migration up to (not including) `migration`,
 * then `migration` is applied and `after` reads the data back. Every table that exists on both sides must keep its
 * row count unless listed in `rowCountsMayChange`.
 */
export interface UpgradeCase {
  /** File name in migrations/, e.g. `0002_template_registrars.sql`. */
  migration: string;
  /** Statements, or a function, writing the data the migration must carry over (in the schema before it). */
  before: string[] | ((db: D1) => Promise<void>);
  /** Reads after the migration; throw (or use expect) when the data did not survive. */
  after: (db: D1) => Promise<void>;
  rowCountsMayChange?: string[];
}

export interface UpgradeReport {
  applied: string[];
  rowCounts: { before: Record<string, number>; after: Record<string, number> };
  schemaAfter: SchemaEntry[];
}

/** Runs one case on a fresh in-memory D1 (Miniflare, the same SQLite as the Workers runtime), then disposes of it. */
export async function runUpgrade(upgrade: UpgradeCase, migrations: D1Migration[]): Promise<UpgradeReport> {
  const index = migrations.findIndex((m) => m.name === upgrade.migration);
  if (index < 0) throw new Error(`no migration named ${upgrade.migration}`);
  const mf = new Miniflare(
    convertV4MiniflareOptions({ modules: true, script: 'export default { fetch: () => new Response(null) }', d1Databases: ['DB'] }),
  );
  try {
    const db = await mf.getD1Database('DB');
    const run = async (queries: string[]) => {
      if (queries.length) await db.batch(queries.map((q) => db.prepare(q)));
    };
    const apply = (m: D1Migration) => run(m.queries);
    for (const m of migrations.slice(0, index)) await apply(m);
    if (Array.isArray(upgrade.before)) await run(upgrade.before);
    else await upgrade.before(db);
    const before = await rowCounts(db);
    await apply(migrations[index]);
    const after = await rowCounts(db);
    await upgrade.after(db);
    const lost = Object.keys(before).filter(
      (table) => table in after && before[table] !== after[table] && !upgrade.rowCountsMayChange?.includes(table),
    );
    if (lost.length) {
      throw new Error(`${upgrade.migration} changed the row count of ${lost.map((t) => `${t} (${before[t]} -> ${after[t]})`).join(', ')}`);
    }
    const schemaAfter = normalizeSchema((await db.prepare(SCHEMA_QUERY).all<SchemaEntry>()).results);
    return { applied: migrations.slice(0, index + 1).map((m) => m.name), rowCounts: { before, after }, schemaAfter };
  } finally {
    await mf.dispose();
  }
}

async function rowCounts(db: D1): Promise<Record<string, number>> {
  const tables = (await db.prepare(SCHEMA_QUERY).all<SchemaEntry>()).results.filter((e) => e.type === 'table');
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = (await db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).first<{ n: number }>())!.n;
  }
  return counts;
}

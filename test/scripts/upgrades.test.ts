import type { D1Migration } from '@cloudflare/vitest-plugin';
import { beforeAll, describe, expect, it } from 'vitest';
import { realMigrations, runUpgrade, type UpgradeCase } from './upgrade-harness';

/**
 * One case per migration after the first (the test below insists): data written in the schema before the migration,
 * read back after it. To add one, push a case like 0002's below; README "Upgrades" has the whole routine.
 */
const upgrades: UpgradeCase[] = [];

// Rows in the 0001 schema: a template whose registration names two clients, its registrar, an instance and a user.
const NOW = 1_767_225_600_000;
const templateConfig = JSON.stringify({
  name: 'field-app',
  capabilities: ['code'],
  redirect_uris: ['https://localhost/callback'],
  scopes: ['openid'],
  registration: { mode: 'clients', allowed_clients: ['server', 'backup-server'] },
});
const usersTemplateConfig = JSON.stringify({
  name: 'kiosk',
  capabilities: ['code'],
  redirect_uris: ['https://localhost/callback'],
  scopes: ['openid'],
  registration: { mode: 'users', via_clients: ['app-login'] },
});
const DATA_0001 = [
  `INSERT INTO templates (name, config, created_at, updated_at) VALUES ('field-app', '${templateConfig}', ${NOW}, ${NOW})`,
  `INSERT INTO templates (name, config, created_at, updated_at) VALUES ('kiosk', '${usersTemplateConfig}', ${NOW}, ${NOW})`,
  `INSERT INTO template_history (name, version, changed_at, changes) VALUES ('field-app', 1, ${NOW}, '{}')`,
  `INSERT INTO clients (client_id, kind, secret_hash, config, issued_at) VALUES ('server', 'static', 'aa', '{}', ${NOW})`,
  `INSERT INTO clients (client_id, kind, template_name, secret_hash, config, created_by_iat, created_by_client, issued_at, registration_token_hash)
     VALUES ('instance-1', 'instance', 'field-app', 'bb', '{}', 'iat-1', 'server', ${NOW}, 'cc')`,
  `INSERT INTO users (username, subject, password_hash, claims, created_at, updated_at) VALUES ('demo', 'sub-1', 'x', '{}', ${NOW}, ${NOW})`,
];

upgrades.push({
  migration: '0002_template_registrars.sql',
  before: DATA_0001,
  after: async (db) => {
    const rows = await db.prepare('SELECT template_name, client_id, mode FROM template_registrars ORDER BY client_id').all();
    expect(rows.results).toEqual([
      { template_name: 'kiosk', client_id: 'app-login', mode: 'users' },
      { template_name: 'field-app', client_id: 'backup-server', mode: 'clients' },
      { template_name: 'field-app', client_id: 'server', mode: 'clients' },
    ]);
  },
});

// 0003 adds the audit trail, the signing keys' first use and failed sign-ins: existing rows stay as they were, the new
// tables work.
upgrades.push({
  migration: '0003_audit_and_login_failures.sql',
  before: DATA_0001,
  after: async (db) => {
    const users = await db.prepare('SELECT username, subject FROM users').all();
    expect(users.results).toEqual([{ username: 'demo', subject: 'sub-1' }]);
    await db
      .prepare("INSERT INTO audit_events (at, type, request_id, username, details) VALUES (?, 'user.updated', 'r-1', 'demo', '{}')")
      .bind(NOW)
      .run();
    await db.prepare("INSERT INTO signing_keys (kid, alg, first_signed_at) VALUES ('k1', 'ES256', ?)").bind(NOW).run();
    const trail = await db.prepare('SELECT type, username FROM audit_events').all();
    expect(trail.results).toEqual([{ type: 'user.updated', username: 'demo' }]);
    await db.prepare("INSERT INTO login_failures (username, failures, last_failed_at) VALUES ('demo', 1, ?)").bind(NOW).run();
    const joined = await db.prepare('SELECT u.subject, f.failures FROM users u JOIN login_failures f USING (username)').all();
    expect(joined.results).toEqual([{ subject: 'sub-1', failures: 1 }]);
  },
});

upgrades.push({
  migration: '0004_public_clients_and_consents.sql',
  before: DATA_0001,
  after: async (db) => {
    const rows = await db
      .prepare('SELECT client_id, kind, template_name, secret_hash, created_by_iat, created_by_ip_hash FROM clients ORDER BY client_id')
      .all();
    expect(rows.results).toEqual([
      {
        client_id: 'instance-1',
        kind: 'instance',
        template_name: 'field-app',
        secret_hash: 'bb',
        created_by_iat: 'iat-1',
        created_by_ip_hash: null,
      },
      { client_id: 'server', kind: 'static', template_name: null, secret_hash: 'aa', created_by_iat: null, created_by_ip_hash: null },
    ]);
    // What the new schema allows: a public instance made by open registration, and a consent of the user.
    await db.batch([
      db.prepare(
        `INSERT INTO clients (client_id, kind, template_name, config, issued_at, registration_token_hash, created_by_ip_hash)
         VALUES ('agent-1', 'instance', 'field-app', '{}', ${NOW}, 'dd', 'ee')`,
      ),
      db.prepare(`INSERT INTO consents (subject, client_id, scopes, granted_at) VALUES ('sub-1', 'agent-1', 'openid', ${NOW})`),
    ]);
    // An instance made neither way is still refused.
    await expect(
      db
        .prepare(
          `INSERT INTO clients (client_id, kind, template_name, config, issued_at, registration_token_hash) VALUES ('x', 'instance', 'field-app', '{}', 0, 'ff')`,
        )
        .run(),
    ).rejects.toThrow(/CHECK/);
  },
});

// 0005 rebuilds an index and adds two: the instances written before are listed, counted and paged through them.
upgrades.push({
  migration: '0005_admin_list_indexes.sql',
  before: DATA_0001,
  after: async (db) => {
    const page = await db
      .prepare(
        "SELECT client_id FROM clients WHERE kind = 'instance' AND template_name = ? AND (issued_at, client_id) > (?, ?) ORDER BY issued_at, client_id",
      )
      .bind('field-app', 0, '')
      .all();
    expect(page.results).toEqual([{ client_id: 'instance-1' }]);
    const usage = await db
      .prepare('SELECT COUNT(*) AS n, MAX(last_used_at) AS last FROM clients WHERE template_name = ?')
      .bind('field-app')
      .first();
    expect(usage).toEqual({ n: 1, last: null });
    const indexes = await db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clients' AND sql IS NOT NULL ORDER BY name")
      .all();
    expect(indexes.results.map((r) => r.name)).toEqual(['clients_by_kind', 'clients_by_template', 'clients_by_template_last_use']);
  },
});

// 0006 indexes the hosts of metadata_document templates: a template written before is found by its hosts after.
const documentTemplateConfig = JSON.stringify({
  name: 'agents',
  capabilities: ['code'],
  redirect_uris: ['http://127.0.0.1/callback'],
  scopes: ['openid'],
  token_endpoint_auth_methods: ['none'],
  registration: { mode: 'metadata_document', allowed_hosts: ['apps.example.com', 'tools.example.org'] },
});
upgrades.push({
  migration: '0006_template_document_hosts.sql',
  before: [
    ...DATA_0001,
    `INSERT INTO templates (name, config, created_at, updated_at) VALUES ('agents', '${documentTemplateConfig}', ${NOW}, ${NOW})`,
  ],
  after: async (db) => {
    const rows = await db.prepare('SELECT host, template_name FROM template_document_hosts ORDER BY host').all();
    expect(rows.results).toEqual([
      { host: 'apps.example.com', template_name: 'agents' },
      { host: 'tools.example.org', template_name: 'agents' },
    ]);
  },
});

let migrations: D1Migration[];
beforeAll(async () => {
  migrations = await realMigrations();
});

describe('upgrades: data written before a migration is there after it', () => {
  it('every migration after the first has an upgrade case here', () => {
    const covered = new Set(upgrades.map((u) => u.migration));
    const missing = migrations.slice(1).filter((m) => !covered.has(m.name));
    expect(
      missing.map((m) => m.name),
      'add an upgrade case to test/scripts/upgrades.test.ts',
    ).toEqual([]);
  });

  it('0001 applies to an empty database', async () => {
    const report = await runUpgrade({ migration: migrations[0].name, before: [], after: async () => {} }, migrations);
    expect(report.schemaAfter.map((e) => e.name)).toContain('templates');
  });

  for (const upgrade of upgrades) {
    it(upgrade.migration, async () => {
      await runUpgrade(upgrade, migrations);
    });
  }
});

describe('the upgrade harness', () => {
  it('fails a migration that loses rows', async () => {
    const lossy: D1Migration = { name: '9999_lossy.sql', queries: ["DELETE FROM clients WHERE kind = 'instance'"] };
    await expect(runUpgrade({ migration: lossy.name, before: DATA_0001, after: async () => {} }, [migrations[0], lossy])).rejects.toThrow(
      /changed the row count of clients \(2 -> 1\)/,
    );
  });

  it('fails a case whose reads fail', async () => {
    const failing = { ...upgrades[0]!, after: async () => expect(1).toBe(2) };
    await expect(runUpgrade(failing, migrations.slice(0, 2))).rejects.toThrow();
  });
});

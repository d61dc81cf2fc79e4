import { readFileSync } from 'node:fs';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM script shared with `npm start`
import { generateSigningKeys } from './scripts/signing-keys.mjs';

// wrangler also loads a developer's .dev.vars, which CI does not have: every secret the Worker reads is set here so
// that the tests never depend on it. In process.env too, where wrangler looks for the secrets wrangler.toml lists as
// required (it warns when they are missing).
const secrets = {
  ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
  SIGNING_KEYS: generateSigningKeys() as string,
  SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
  PAIRWISE_SECRET: 'test-pairwise-secret-0123456789abcdef0123456789',
};
Object.assign(process.env, secrets);

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ...secrets,
          // The tests' requests go to https://edge-dcr.test (test/helpers.ts), not loopback: a fixed issuer, as deployed.
          ISSUER: 'https://edge-dcr.test',
          // A second, independent key set: what `npm run keys -- rotate` would add (test/key-rotation.test.ts).
          NEXT_SIGNING_KEYS: generateSigningKeys(),
          // migrations/, applied to DB by test/setup.ts the way `wrangler d1 migrations apply` does.
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
          TEST_SCHEMA: readFileSync('./schema.sql', 'utf8'),
        },
        // Tests only: schema.sql alone, to compare with the migrated DB (test/migrations.test.ts).
        d1Databases: { SCHEMA_DB: 'schema-sql-only' },
        // Tests only: 3 a minute, put in place of a configured limiter where a test must reach its limit quickly.
        ratelimits: { TIGHT_LIMITER: { namespace_id: '9001', simple: { limit: 3, period: 60 } } },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/scripts/**'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 30_000,
    // The Worker's request and audit log lines (src/request-log.ts), one per request: the tests that need them read them.
    onConsoleLog: (log) => !/^\{"kind":"(request|audit)"/.test(log),
  },
});

import { readFileSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM script shared with `npm start`
import { generateSigningKeys } from './scripts/signing-keys.mjs';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // wrangler also loads a developer's .dev.vars, which CI does not have: every secret the Worker
        // reads must be set here so that the tests never depend on it.
        bindings: {
          ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
          SIGNING_KEYS: generateSigningKeys(),
          SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
          TEST_SCHEMA: readFileSync('./schema.sql', 'utf8'),
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 30_000,
  },
});

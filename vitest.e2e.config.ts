import { defineConfig } from 'vitest/config';

// Node-side tests. clients and browser: real client libraries and a real browser against the built Worker served by
// Miniflare (one server per run, test/e2e/global-setup.ts). scripts: the operator scripts (npm run setup, deploy,
// keys) in a temporary copy of the configuration, and the migration upgrade tests.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'clients', globalSetup: ['./test/e2e/global-setup.ts'], include: ['test/e2e/clients/**/*.e2e.ts'] },
      },
      {
        extends: true,
        test: { name: 'browser', globalSetup: ['./test/e2e/global-setup.ts'], include: ['test/e2e/browser/**/*.e2e.ts'] },
      },
      { extends: true, test: { name: 'scripts', include: ['test/scripts/**/*.test.ts'], testTimeout: 180_000 } },
    ],
  },
});

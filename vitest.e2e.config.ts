import { defineConfig } from 'vitest/config';

// End-to-end: real client libraries and a real browser against the built Worker served by Miniflare, from Node.
export default defineConfig({
  test: {
    globalSetup: ['./test/e2e/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'clients', include: ['test/e2e/clients/**/*.e2e.ts'] } },
      { extends: true, test: { name: 'browser', include: ['test/e2e/browser/**/*.e2e.ts'] } },
    ],
  },
});

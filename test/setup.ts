import { applyD1Migrations, env } from 'cloudflare:test';

// migrations/, as `npm start` and `npm run deploy` apply them (pending ones only, recorded in d1_migrations).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

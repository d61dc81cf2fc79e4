import { env } from 'cloudflare:test';

// The same schema.sql that `npm start` applies, statement by statement.
const statements = env.TEST_SCHEMA.replace(/--.*$/gm, '')
  .split(';')
  .map((s) => s.trim())
  .filter(Boolean);
await env.DB.batch(statements.map((s) => env.DB.prepare(s)));

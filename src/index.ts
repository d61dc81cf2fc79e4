import { createApp } from './app';
import type { Env } from './env';

export { Ledger } from './ledger/ledger';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

import type { Env } from '../env';
import type { RequestDeps } from '../deps';
import type { ConsoleViewer } from '../views/console/layout';

/** The Hono environment every sub-app shares. `viewer` and `form` are set for the console's pages (routes/admin-auth.ts). */
export type AppEnv = { Bindings: Env; Variables: { deps: RequestDeps; viewer: ConsoleViewer; form: URLSearchParams } };

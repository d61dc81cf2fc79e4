import type { Env } from '../env';
import type { RequestDeps } from '../deps';
import type { ConsoleViewer } from '../views/console/layout';

/**
 * The Hono environment every sub-app shares. `requestId`, and `clientId` and `errorCode` where known, go into the
 * request's log line (src/request-log.ts). `viewer` and `form` are set for the console's pages (routes/admin-auth.ts).
 */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    deps: RequestDeps;
    requestId: string;
    clientId: string | undefined;
    errorCode: string | undefined;
    viewer: ConsoleViewer;
    form: URLSearchParams;
  };
};

import type { Env } from '../env';
import type { RequestDeps } from '../deps';

/**
 * The Hono environment every sub-app shares. `requestId`, and `clientId` and `errorCode` where known, go into the
 * request's log line (src/request-log.ts).
 */
export type AppEnv = {
  Bindings: Env;
  Variables: { deps: RequestDeps; requestId: string; clientId: string | undefined; errorCode: string | undefined };
};

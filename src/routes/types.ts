import type { Env } from '../env';
import type { RequestDeps } from '../deps';

/** The Hono environment every sub-app shares. */
export type AppEnv = { Bindings: Env; Variables: { deps: RequestDeps } };

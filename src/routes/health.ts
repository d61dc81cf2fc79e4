import { Hono } from 'hono';
import type { AppEnv } from './types';
import type { Env } from '../env';
import { requestLedger, type AppOptions } from '../deps';
import { configurationProblems } from '../configuration';
import { d1Store } from '../store/d1';
import { NO_STORE } from '../http';
import { logError } from '../log';

/**
 * Liveness and readiness for load balancers and monitors (README "Operating"). Both answer without the
 * configuration check the other routes sit behind, so that a broken configuration is reported rather than hidden.
 */

const OK = 'ok';

export function healthRoutes(options: AppOptions) {
  return (
    new Hono<AppEnv>()
      // Liveness: the Worker runs. No storage, no configuration.
      .get('/health', (c) => c.json({ status: 'ok' }, 200, NO_STORE))
      .get('/health/ready', async (c) => {
        const checks = await readiness(c.env, c.req.raw, options, c.get('requestId'));
        const ready = Object.values(checks).every((check) => check === OK);
        return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503, NO_STORE);
      })
  );
}

/** Each check is `ok` or names what is wrong. D1 and the ledger are asked at once: one round trip. */
async function readiness(env: Env, request: Request, options: AppOptions, requestId: string) {
  const [problems, d1, ledger] = await Promise.all([
    configurationProblems(env, new URL(request.url)),
    reachable(requestId, 'd1', () => d1Store(env.DB, { readReplicas: false, lookupCacheSeconds: 0, now: 0 }).ping()),
    // Any shard count will do: the ping goes to shard 0 of the request's region.
    reachable(requestId, 'ledger', () => requestLedger(env, request, options, 1).ping()),
  ]);
  const aboutKeys = (problem: string) => problem.startsWith('SIGNING_KEYS');
  return {
    configuration: problems.filter((p) => !aboutKeys(p)).join('; ') || OK,
    d1,
    ledger,
    signing_keys: problems.filter(aboutKeys).join('; ') || OK,
  };
}

async function reachable(requestId: string, check: string, ping: () => Promise<void>): Promise<string> {
  try {
    await ping();
    return OK;
  } catch (error) {
    logError(requestId, { route: '/health/ready', description: `${check} is unreachable` }, error);
    return 'unreachable';
  }
}

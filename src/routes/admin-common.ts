import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';
import { invalidToken } from '../oauth/errors';
import { bearerToken } from '../http';
import { secretsEqual } from '../tokens/secrets';

/** Pieces the admin API and the console share. */

export const requireAdminToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  // No ADMIN_TOKEN configured: the admin API stays shut.
  if (!expected || !(await secretsEqual(bearerToken(c), expected))) throw invalidToken('admin token required');
  await next();
};

/** Admin answers carry secrets and private data: never stored by a cache, whatever they are (errors too). */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
};

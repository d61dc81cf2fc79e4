import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './types';

/** What the admin API and the console share. */

/** Admin answers carry secrets and private data: never stored by a cache, whatever they are (errors too). */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
};

import type { Context } from 'hono';
import type { AppEnv } from './types';
import { CONSOLE_HEADERS } from '../views/console/layout';

/** A console page as an HTML document, with the console's headers. */
export const page = (c: Context<AppEnv>, body: unknown, status: 200 | 400 | 401 | 403 | 404 | 409 | 415 = 200) =>
  c.html(`<!doctype html>${String(body)}`, status, CONSOLE_HEADERS);

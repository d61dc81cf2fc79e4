import { Hono } from 'hono';
import type { AppEnv } from './types';
import { NO_STORE } from '../http';
import { auditQuerySchema } from '../admin/schemas';
import { validated } from '../admin/input';
import { auditEventView } from '../admin/views';

/**
 * The audit trail, newest first, mounted at /admin/v1/audit behind the admin token. `next_cursor` continues a listing
 * where its page ended; it stays valid while newer events arrive.
 */
export const adminAuditRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { type, client_id, template, user, since, until, cursor, limit } = validated(auditQuerySchema, c.req.query());
  // One more than asked: whether a next page exists.
  const found = await c.get('deps').store.audit.list({
    type,
    clientId: client_id,
    template,
    user,
    since,
    until,
    after: cursor,
    limit: limit + 1,
  });
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const next_cursor = found.length > limit && last ? `${last.at}.${last.id}` : null;
  return c.json({ events: page.map(auditEventView), next_cursor }, 200, NO_STORE);
});

import { Hono } from 'hono';
import type { AppEnv } from './types';
import { auditPage } from '../admin/audit-trail';

/** The audit trail, newest first, mounted at /admin/v1/audit behind the admin check. */
export const adminAuditRoutes = new Hono<AppEnv>().get('/', async (c) => c.json(await auditPage(c.get('deps'), c.req.query())));

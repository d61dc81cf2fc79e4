import type { RequestDeps } from '../deps';
import type { z } from 'zod';
import type { auditEventAnswer } from './answer-schemas';
import { validated } from './input';
import { auditQuerySchema } from './schemas';
import { auditEventView } from './views';

/**
 * A page of the audit trail, newest first, for the admin API and the console: `query` as GET /admin/v1/audit takes
 * it (filters, a time range, a cursor, a limit). `next_cursor` continues where the page ended; it stays valid while
 * newer events arrive.
 */
export async function auditPage(
  { store }: Pick<RequestDeps, 'store'>,
  query: Record<string, string>,
): Promise<{ items: z.infer<typeof auditEventAnswer>[]; next_cursor: string | null }> {
  const { type, client_id, template, user, since, until, cursor, limit } = validated(auditQuerySchema, query);
  // One more than asked: whether a next page exists.
  const found = await store.audit.list({ type, clientId: client_id, template, user, since, until, after: cursor, limit: limit + 1 });
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(auditEventView), next_cursor: found.length > limit && last ? `${last.at}.${last.id}` : null };
}

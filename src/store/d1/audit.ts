import type { AuditEvent } from '../../model';
import type { AuditStore } from '../store';
import { auditEventFromRow, type AuditRow } from './rows';

/**
 * The audit trail in D1. Retention rides on the writes: each append also deletes up to SWEEP_LIMIT events older than
 * the retention, oldest first, through the index on `at` (a write that finds nothing expired reads next to nothing).
 * Events keep coming while anything happens, so the backlog never grows; no schedule to run or watch.
 */
const SWEEP_LIMIT = 100;

const COLUMNS = '(at, type, request_id, client_id, template, username, subject, ip, details)';
const VALUES = '?, ?, ?, ?, ?, ?, ?, ?, ?';

const columnValues = (e: AuditEvent) => [
  e.at,
  e.type,
  e.requestId,
  e.clientId,
  e.template,
  e.username,
  e.subject,
  e.ip,
  JSON.stringify(e.details),
];

export function d1Audit(db: D1Database): AuditStore {
  return {
    async append(events, activations, retainAfter) {
      const sweep = db
        .prepare('DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ? ORDER BY at LIMIT ?)')
        .bind(retainAfter, SWEEP_LIMIT);
      const inserts = events.map((e) => db.prepare(`INSERT INTO audit_events ${COLUMNS} VALUES (${VALUES})`).bind(...columnValues(e)));
      // A key's event is appended only when its row is new (changes() of the statement just before): once ever.
      const firstUses = activations.flatMap(({ kid, alg, event }) => [
        db.prepare('INSERT INTO signing_keys (kid, alg, first_signed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').bind(kid, alg, event.at),
        db.prepare(`INSERT INTO audit_events ${COLUMNS} SELECT ${VALUES} WHERE changes() = 1 RETURNING id`).bind(...columnValues(event)),
      ]);
      const results = await db.batch([sweep, ...inserts, ...firstUses]);
      const appended = results.slice(1 + inserts.length).filter((_, i) => i % 2 === 1);
      return activations.filter((_, i) => appended[i]!.results.length === 1).map((a) => a.event);
    },

    async list(query) {
      const conditions: string[] = [];
      const params: unknown[] = [];
      const where = (condition: string, ...values: unknown[]) => {
        conditions.push(condition);
        params.push(...values);
      };
      if (query.type !== undefined) where('type = ?', query.type);
      if (query.clientId !== undefined) where('client_id = ?', query.clientId);
      if (query.template !== undefined) where('template = ?', query.template);
      if (query.user !== undefined) where('(username = ? OR subject = ?)', query.user, query.user);
      if (query.since !== undefined) where('at >= ?', query.since);
      if (query.until !== undefined) where('at < ?', query.until);
      if (query.after !== undefined) where('(at < ? OR (at = ? AND id < ?))', query.after.at, query.after.at, query.after.id);
      const filter = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
      const { results } = await db
        .prepare(`SELECT * FROM audit_events ${filter} ORDER BY at DESC, id DESC LIMIT ?`)
        .bind(...params, query.limit)
        .all<AuditRow>();
      return results.map(auditEventFromRow);
    },
  };
}

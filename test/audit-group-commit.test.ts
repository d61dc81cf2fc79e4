import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/model';
import { d1Audit } from '../src/store/d1/audit';
import { unique } from './helpers';

/** The audit trail's group commit (src/store/d1/audit.ts): concurrent appends of one isolate share one D1 write. */

function countingDb() {
  let batches = 0;
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          batches++;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, batches: () => batches };
}

const event = (requestId: string, template: string): AuditEvent => ({
  type: 'registration.created',
  at: Date.now(),
  requestId,
  ip: null,
  clientId: null,
  template,
  username: null,
  subject: null,
  details: {},
});

describe('audit group commit', () => {
  it('appends made together share one write, and every event is stored', async () => {
    const { db, batches } = countingDb();
    const audit = d1Audit(db);
    const template = unique('grouped');
    const activated: string[] = [];
    const appends = Array.from({ length: 20 }, (_, i) =>
      audit.append({
        events: [event(`request-${i}`, template)],
        activations: [],
        retainAfter: 0,
        activated: () => activated.push(`request-${i}`),
      }),
    );
    await Promise.all(appends);
    expect(batches()).toBe(1);
    expect(activated).toHaveLength(20);
    const stored = await env.DB.prepare('SELECT request_id FROM audit_events WHERE template = ? ORDER BY id').bind(template).all();
    expect(stored.results).toHaveLength(20);
  });

  it('an append alone is written alone, after a short gathering wait', async () => {
    const { db, batches } = countingDb();
    const template = unique('alone');
    await d1Audit(db).append({ events: [event('only', template)], activations: [], retainAfter: 0, activated: () => {} });
    expect(batches()).toBe(1);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE template = ?').bind(template).first())!.n).toBe(1);
  });
});

import { env } from 'cloudflare:test';
import type { Env } from '../../src/env';

/**
 * Counts a request's sequential storage round trips ("waves", docs/architecture.md) by wrapping the D1 and
 * ledger bindings themselves, so whatever the code does with them is seen. A call that starts while another is
 * in flight joins that wave; a call that starts when none is in flight opens a new one.
 */

/**
 * `d1`: a read; `d1-write`: a statement or batch that writes; `ledger`: one RPC to a ledger shard of the caller's
 * region; `ledger-single-use`: one to the single-use shards of SINGLE_USE_REGION (`useOnce`: a jti we did not mint),
 * which from far away costs about what a trip to the D1 primary does.
 */
export type RoundTrip = 'd1' | 'd1-write' | 'ledger' | 'ledger-single-use';

export interface WaveRecorder {
  bindings: Pick<Env, 'DB' | 'LEDGER'>;
  /** The waves since the last reset, each the sorted kinds of the round trips it held. */
  waves(): RoundTrip[][];
  /** Every ledger object any call reached, by id, since the recorder was made. */
  objects(): ReadonlySet<string>;
  reset(): void;
}

// Off the response path on purpose (waitUntil): bookkeeping that never delays an answer. test/audit.test.ts checks that
// the audit trail's batch runs after the response.
const BACKGROUND = /^\s*(UPDATE clients SET last_used_at|INSERT INTO audit_events|INSERT INTO signing_keys|DELETE FROM audit_events)/i;
const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b/i;

export function waveRecorder(): WaveRecorder {
  let waves: RoundTrip[][] = [];
  let inFlight = 0;
  const objects = new Set<string>();

  function track<T>(kind: RoundTrip, call: () => Promise<T>): Promise<T> {
    if (inFlight === 0) waves.push([kind]);
    else waves.at(-1)!.push(kind);
    inFlight++;
    return call().finally(() => inFlight--);
  }

  const sqlOf = new WeakMap<object, string>();
  const statement = (inner: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const wrapped = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => statement(target.bind(...values), sql);
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => {
            const run = () => (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            return BACKGROUND.test(sql) ? run() : track(WRITE.test(sql) ? 'd1-write' : 'd1', run);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    sqlOf.set(wrapped, sql);
    return wrapped;
  };
  const database = (inner: D1Database | D1DatabaseSession): D1Database =>
    new Proxy(inner as D1Database, {
      get(target, prop) {
        if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql), sql);
        if (prop === 'batch') {
          return (statements: D1PreparedStatement[]) => {
            const sql = statements.map((s) => sqlOf.get(s) ?? '');
            // The real statements, unwrapped: D1 checks what it is given.
            const run = () => target.batch(statements);
            if (sql.every((text) => BACKGROUND.test(text))) return run();
            return track(sql.some((text) => WRITE.test(text)) ? 'd1-write' : 'd1', run);
          };
        }
        if (prop === 'withSession')
          return (...args: unknown[]) => database((target.withSession as (...a: unknown[]) => D1DatabaseSession)(...args));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

  const stub = (inner: DurableObjectStub, id: string) =>
    new Proxy(inner, {
      get(target, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return Reflect.get(target, prop);
        return (...args: unknown[]) => {
          objects.add(id);
          return track(prop === 'useOnce' ? 'ledger-single-use' : 'ledger', () =>
            (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop]!(...args),
          );
        };
      },
    });
  const namespace = new Proxy(env.LEDGER, {
    get(target, prop) {
      if (prop === 'get') {
        return (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) =>
          stub(target.get(id, options), id.toString());
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  return {
    bindings: { DB: database(env.DB), LEDGER: namespace as Env['LEDGER'] },
    waves: () => waves.map((wave) => [...wave].sort()),
    objects: () => objects,
    reset: () => {
      waves = [];
    },
  };
}

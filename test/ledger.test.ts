import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { unique } from './helpers';

const ledgerFor = (name: string) => env.LEDGER.get(env.LEDGER.idFromName(name));

describe('the one-time ledger Durable Object', () => {
  it('consumes a token exactly once, also under concurrent calls', async () => {
    const stub = ledgerFor(unique('iat'));
    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => stub.consume(now, now + 300_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await stub.consume(now, now + 300_000)).toBe(false);
  });

  it('schedules its own clean-up after expiry, and the alarm deletes the state', async () => {
    const stub = ledgerFor(unique('iat'));
    const now = Date.now();
    const expiresAt = now + 300_000;
    expect(await stub.consume(now, expiresAt)).toBe(true);
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(expiresAt);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rows = await runInDurableObject(stub, (_, state) => state.storage.sql.exec('SELECT name FROM sqlite_master WHERE type = ?', 'table').toArray());
    expect(rows.filter((r) => r.name === 'consumption')).toHaveLength(0);
  });
});

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
    const rows = await runInDurableObject(stub, (_, state) => state.storage.sql.exec('SELECT * FROM consumption').toArray());
    expect(rows).toHaveLength(0);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();
  });
});

describe('the ledger after its clean-up alarm', () => {
  it('still answers: a late call finds nothing rather than failing', async () => {
    const name = unique('family');
    const stub = ledgerFor(name);
    const now = Date.now();
    expect(await stub.consume(now, now + 1_000)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.familyState(now)).toEqual({ state: 'unknown' });
    expect(await stub.redeemCode('any-hash', now)).toEqual({ outcome: 'unknown' });
  });
});

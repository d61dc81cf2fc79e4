import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SINGLE_USE_REGION, newLedgerId, shardName, shardOf, singleUseShardOf } from '../src/ledger/shards';
import { durableLedger } from '../src/ledger/client';
import { sha256Hex } from '../src/tokens/secrets';
import type { CodeGrant } from '../src/grant-rules';

/** The ledger shard through its RPC interface, as a deployed Worker calls it. */
const SHARDS = 4;
const shardFor = (id: string) => env.LEDGER.get(env.LEDGER.idFromName(shardName(shardOf(id, SHARDS)!)));
const newId = () => newLedgerId('enam', SHARDS);

const code: CodeGrant = {
  clientId: 'app',
  redirectUri: 'https://localhost/callback',
  redirectUriGiven: true,
  scope: 'openid dcr',
  sub: 'user-1',
  authTime: 1,
  acr: 'username-password',
};
const presented = { clientId: 'app', redirectUri: 'https://localhost/callback', verifierChallenge: null, allowedScopes: ['openid', 'dcr'] };

describe('a ledger shard', () => {
  it('spends an initial access token exactly once, also under concurrent calls', async () => {
    const grantId = newId();
    const jti = newLedgerId('enam', SHARDS, grantId);
    const now = Date.now();
    const request = { jti, grantId, now, expiresAt: now + 300_000 };
    const results = await Promise.all(Array.from({ length: 20 }, () => shardFor(grantId).consumeInitialAccessToken(request)));
    expect(results.filter((r) => r === 'consumed')).toHaveLength(1);
    expect(results.filter((r) => r === 'used')).toHaveLength(19);
  });

  it('refuses an initial access token whose grant was revoked, and spends nothing', async () => {
    const grantId = newId();
    const now = Date.now();
    await shardFor(grantId).revokeGrant({ grantId, retainUntil: now + 300_000 });
    const jti = newLedgerId('enam', SHARDS, grantId);
    expect(await shardFor(grantId).consumeInitialAccessToken({ jti, grantId, now, expiresAt: now + 300_000 })).toBe('revoked');
    const spent = await runInDurableObject(shardFor(grantId), (_, state) =>
      state.storage.sql.exec('SELECT * FROM spent_tokens WHERE jti = ?', jti).toArray(),
    );
    expect(spent).toHaveLength(0);
  });

  it('redeems a code once and starts its family without dcr; its own client presenting it again revokes the grant', async () => {
    const grantId = newId();
    const now = Date.now();
    const shard = shardFor(grantId);
    expect(await shard.issueCode({ grantId, codeHash: 'h', code, expiresAt: now + 60_000 })).toBe(true);
    expect(await shard.issueCode({ grantId, codeHash: 'other', code, expiresAt: now + 60_000 })).toBe(false);
    const family = { tokenHash: 'r1', expiresAt: now + 3_600_000, retainUntil: now + 3_600_000 };
    expect(await shard.redeemCode({ grantId, codeHash: 'wrong', now, family, ...presented })).toEqual({ outcome: 'unknown' });
    expect(await shard.redeemCode({ grantId, codeHash: 'h', now, family, ...presented })).toEqual({ outcome: 'redeemed', code });
    expect(await shard.refreshTokenStatus({ grantId, tokenHash: 'r1', now })).toMatchObject({ active: true, grant: { scope: 'openid' } });
    expect(await shard.redeemCode({ grantId, codeHash: 'h', now, family, ...presented, clientId: 'other' })).toMatchObject({
      outcome: 'refused',
    });
    expect(await shard.isGrantRevoked({ grantId })).toBe(false);
    expect(await shard.redeemCode({ grantId, codeHash: 'h', now, family, ...presented })).toEqual({ outcome: 'reused' });
    expect(await shard.isGrantRevoked({ grantId })).toBe(true);
  });

  it('answers a grant’s status with the claims its family asked for; the redeemed code keeps no claim values', async () => {
    const grantId = newId();
    const now = Date.now();
    const shard = shardFor(grantId);
    const claims = { userinfo: ['email'], id_token: ['name'] };
    const withClaims: CodeGrant = { ...code, claims, idTokenClaims: { name: 'Ada' } };
    expect(await shard.grantStatus({ grantId })).toEqual({ revoked: false });
    await shard.issueCode({ grantId, codeHash: 'h', code: withClaims, expiresAt: now + 60_000 });
    const family = { tokenHash: 'r1', expiresAt: now + 3_600_000, retainUntil: now + 3_600_000 };
    expect(await shard.redeemCode({ grantId, codeHash: 'h', now, family, ...presented })).toEqual({
      outcome: 'redeemed',
      code: withClaims,
    });
    expect(await shard.grantStatus({ grantId })).toEqual({ revoked: false, claims });
    const stored = await runInDurableObject(shard, (_, state) =>
      state.storage.sql.exec<{ code: string }>('SELECT code FROM grants WHERE grant_id = ?', grantId).one(),
    );
    expect(JSON.parse(stored.code)).toEqual({ ...code, claims });
    await shard.revokeGrant({ grantId, retainUntil: now + 3_600_000 });
    expect(await shard.grantStatus({ grantId })).toEqual({ revoked: true, claims });
  });

  it('sweeps rows past their retention with one alarm per shard, and answers unknown afterwards', async () => {
    const grantId = newId();
    const past = Date.now() - 24 * 3_600_000;
    const shard = shardFor(grantId);
    await shard.issueCode({ grantId, codeHash: 'h', code, expiresAt: past });
    expect(await runInDurableObject(shard, (_, state) => state.storage.getAlarm())).not.toBeNull();
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    const rows = await runInDurableObject(shard, (_, state) =>
      state.storage.sql.exec('SELECT * FROM grants WHERE grant_id = ?', grantId).toArray(),
    );
    expect(rows).toHaveLength(0);
    const family = { tokenHash: 'r1', expiresAt: past, retainUntil: past };
    expect(await shard.redeemCode({ grantId, codeHash: 'h', now: past, family, ...presented })).toEqual({ outcome: 'unknown' });
  });
});

describe('single-use values (a jti we did not mint)', () => {
  const ledger = durableLedger(env.LEDGER, { region: 'apac', shardCount: SHARDS });

  it('are first exactly once, also under concurrent calls from any region; other values and namespaces are apart', async () => {
    const value = { namespace: 'client_assertion:app', value: crypto.randomUUID(), expiresAt: Date.now() + 60_000 };
    const elsewhere = durableLedger(env.LEDGER, { region: 'oc', shardCount: SHARDS });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? elsewhere : ledger).useOnce(value)));
    expect(results.filter((r) => r === 'first')).toHaveLength(1);
    expect(await ledger.useOnce({ ...value, value: crypto.randomUUID() })).toBe('first');
    expect(await ledger.useOnce({ ...value, namespace: 'client_assertion:other' })).toBe('first');
  });

  it('live in the single-use region, on the shard their hash names, kept past expiry for clock skew and then swept', async () => {
    const value = { namespace: 'dpop', value: crypto.randomUUID(), expiresAt: Date.now() - 24 * 3_600_000 };
    const keyHash = await sha256Hex(`${value.namespace}\n${value.value}`);
    const address = singleUseShardOf(keyHash, SHARDS);
    expect(address.region).toBe(SINGLE_USE_REGION);
    expect(await ledger.useOnce(value)).toBe('first');
    const shard = env.LEDGER.get(env.LEDGER.idFromName(shardName(address)));
    const rows = () =>
      runInDurableObject(shard, (_, state) => state.storage.sql.exec('SELECT * FROM single_use WHERE key_hash = ?', keyHash).toArray());
    expect(await rows()).toHaveLength(1);
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await rows()).toHaveLength(0);
  });
});

describe('ledger ids', () => {
  it('name a shard of a known region below the count, or nothing', () => {
    const id = newLedgerId('apac', 8);
    expect(shardOf(id, 8)).toMatchObject({ region: 'apac' });
    expect(shardOf(id.replace(/^apac-\d+/, 'apac-8'), 8)).toBeNull();
    expect(shardOf(id.replace(/^apac/, 'mars'), 8)).toBeNull();
    expect(shardOf('apac-1-short', 8)).toBeNull();
    expect(shardOf(newLedgerId('oc', 8, id), 8)).toEqual(shardOf(id, 8));
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { testServer } from './helpers';
import { serverWithUnreachableLedger } from './flow-helpers';
import { waveRecorder } from './support/storage-waves';

/** README "Operating": liveness without storage; readiness names what is not ready. */

afterEach(() => vi.restoreAllMocks());
const quietErrors = () => vi.spyOn(console, 'error').mockImplementation(() => {});

/** A D1 binding whose every query fails, as when the database cannot be reached. */
const unreachableDb = () => {
  const fail = () => Promise.reject(new Error('D1_ERROR: Network connection lost.'));
  const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
  return { prepare: () => statement, batch: fail, withSession: () => ({ prepare: () => statement, batch: fail }) } as unknown as D1Database;
};

async function readiness(res: Response) {
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

describe('GET /health (liveness)', () => {
  it('answers 200 without any storage round trip, even with a broken configuration', async () => {
    const recorder = waveRecorder();
    const res = await testServer({}, { ...recorder.bindings, SIGNING_KEYS: '' })('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(recorder.waves()).toEqual([]);
  });
});

describe('GET /health/ready (readiness)', () => {
  it('is ready when D1 and the ledger answer and the keys are loaded, asking both at once', async () => {
    const recorder = waveRecorder();
    const { status, body } = await readiness(await testServer({}, recorder.bindings)('/health/ready'));
    expect({ status, body }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { configuration: 'ok', d1: 'ok', ledger: 'ok', signing_keys: 'ok' } },
    });
    expect(recorder.waves()).toEqual([['d1', 'ledger']]);
  });

  it('is not ready when D1 is unreachable: 503 naming it', async () => {
    quietErrors();
    const { status, body } = await readiness(await testServer({}, { DB: unreachableDb() })('/health/ready'));
    expect(status).toBe(503);
    expect(body.status).toBe('not_ready');
    expect(body.checks).toMatchObject({ d1: 'unreachable', ledger: 'ok', signing_keys: 'ok', configuration: 'ok' });
  });

  it('is not ready when the ledger is unreachable: 503 naming it', async () => {
    quietErrors();
    const { status, body } = await readiness(await serverWithUnreachableLedger('ping')('/health/ready'));
    expect(status).toBe(503);
    expect(body.checks).toMatchObject({ d1: 'ok', ledger: 'unreachable' });
  });

  it('is not ready without signing keys, or with a broken configuration, naming them', async () => {
    const { status, body } = await readiness(await testServer({}, { SIGNING_KEYS: '', LEDGER_SHARDS: 'many' })('/health/ready'));
    expect(status).toBe(503);
    expect(body.checks.signing_keys).toContain('SIGNING_KEYS is not set');
    expect(body.checks.configuration).toContain('LEDGER_SHARDS must be a whole number');
    expect(body.checks).toMatchObject({ d1: 'ok', ledger: 'ok' });
  });

  it('is not ready for a host that would have to choose the issuer', async () => {
    const { status, body } = await readiness(await testServer({}, { ISSUER: '' })('https://evil.example/health/ready'));
    expect(status).toBe(503);
    expect(body.checks.configuration).toContain('ISSUER is not set');
  });
});

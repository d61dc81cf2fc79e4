import { fileURLToPath } from 'node:url';
import { startWorker } from './miniflare.mjs';

export const PROBES = {
  noop: 'nothing (the Worker answers at once)',
  'd1-read': 'one D1 read by primary key',
  'd1-write': 'one D1 insert',
  'do-new': "one RPC to a new Durable Object that inserts its SQLite row (the ledger's consume, one object per token)",
  'do-new-empty': 'one RPC to a new Durable Object that never touches its storage',
  'do-shard': 'the same insert keyed by token in one of 64 long-lived Durable Objects (a sharded ledger)',
  es256: 'one ES256 signature (WebCrypto)',
  rs256: 'one RS256 signature (WebCrypto, 2048-bit)',
};

/** The probe Worker of bench/peers/bounds: one primitive per route, under the same Miniflare as edge-dcr. */
export async function startBounds({ core, compatibilityDate, compatibilityFlags, direct }) {
  const scriptPath = fileURLToPath(new URL('../peers/bounds/worker.js', import.meta.url));
  const worker = await startWorker(
    {
      name: 'bounds',
      scriptPath,
      compatibilityDate,
      compatibilityFlags,
      d1Databases: { DB: 'bounds' },
      durableObjects: { PROBE: { className: 'Probe', useSQLite: true }, EMPTY: { className: 'Empty', useSQLite: true } },
    },
    core,
    direct,
  );
  await fetch(`${worker.url}/d1-read`); // creates the probe table before any window
  const ops = Object.fromEntries(Object.keys(PROBES).map((name) => [name, { kind: 'fixed', method: 'GET', path: `/${name}` }]));
  return { ...worker, ops };
}

// `npm run bench`: edge-dcr against node-oidc-provider, workers-oauth-provider and a hello-world Worker,
// one server at a time, the server pinned to one core and the load generator (autocannon) to the other.
// Writes bench/results/latest.md, bench/results/chart.svg and the raw figures under bench/results/raw/.
// Workers run under Miniflare on a socket straight into the Worker (what raw `workerd serve` does); the
// `name@entry` servers (only when BENCH_ONLY names them) go through Miniflare's entry Worker, which proxies
// every request. `bounds` is a probe Worker timing the pieces a request is made of.
// Settings (environment): BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_RUNS (3), BENCH_CONNECTIONS (32),
// BENCH_SCALE_SECONDS (5, also the probes' windows), BENCH_SCALE_SIZES (1000,10000,100000), BENCH_ONLY
// (comma-separated names from SERVERS below, plus `scaling`; default: all but the @entry ones).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKeys } from '../scripts/signing-keys.mjs';
import { startChild, stopAll } from './lib/children.mjs';
import { measureOperation } from './lib/measure.mjs';
import { machine } from './lib/machine.mjs';
import { writeReport } from './lib/report.mjs';
import { deployConfig, startEdgeDcr } from './targets/edge-dcr.mjs';
import { startHello } from './targets/hello.mjs';
import { startBounds } from './targets/bounds.mjs';
import { startOidcProvider } from './targets/oidc-provider.mjs';
import { startWorkersOAuthProvider } from './targets/workers-oauth-provider.mjs';

const env = process.env;
const settings = {
  seconds: Number(env.BENCH_SECONDS ?? 10),
  warmup: Number(env.BENCH_WARMUP ?? 2),
  runs: Number(env.BENCH_RUNS ?? 3),
  connections: Number(env.BENCH_CONNECTIONS ?? 32),
  scaleSeconds: Number(env.BENCH_SCALE_SECONDS ?? 5),
  scaleSizes: (env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number),
  /** Rate assumed when sizing the warm-up's pool of one-time inputs (the window ends early if it runs dry). */
  warmupRate: 1000,
};
const only = env.BENCH_ONLY?.split(',');
const selected = (name) => (only ? only.includes(name) : !name.endsWith('@entry'));
const twoCores = availableParallelism() >= 2;
const cores = { server: 0, load: twoCores ? 1 : 0 };

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const rawDir = join(resultsDir, 'raw');
mkdirSync(rawDir, { recursive: true });
const workDir = mkdtempSync(join(tmpdir(), 'edge-dcr-bench-'));
const poolFile = join(workDir, 'pool.json');
const log = (message) => console.log(`bench: ${message}`);

const started = new Date();
const keys = generateSigningKeys(); // edge-dcr and node-oidc-provider sign with the same keys
const { compatibilityDate, compatibilityFlags } = deployConfig();
const context = { core: cores.server, keys, workDir, compatibilityDate, compatibilityFlags };

const direct = (start) => (ctx) => start({ ...ctx, direct: true });
const SERVERS = [
  ['hello', direct(startHello)],
  ['edge-dcr', direct(startEdgeDcr)],
  ['node-oidc-provider', startOidcProvider],
  ['workers-oauth-provider', direct(startWorkersOAuthProvider)],
  ['bounds', direct(startBounds)],
  ['hello@entry', startHello],
  ['edge-dcr@entry', startEdgeDcr],
  ['workers-oauth-provider@entry', startWorkersOAuthProvider],
];

const results = { settings, started: started.toISOString(), commit: commitOf(), machine: machine(), servers: {}, scaling: null };
try {
  const load = await startChild(fileURLToPath(new URL('./lib/load-process.mjs', import.meta.url)), { core: cores.load });
  for (const [name, start] of SERVERS) {
    if (!selected(name)) continue;
    log(`${name}: starting`);
    const server = await start(context);
    results.servers[name] = {};
    if (server.missing && Object.keys(server.missing).length) results.missing = { ...results.missing, [name]: server.missing };
    try {
      for (const [opName, op] of Object.entries(server.ops)) {
        log(`${name} ${opName}`);
        const opLog = (message) => log(`  ${message}`);
        const opSettings = name === 'bounds' ? { ...settings, seconds: settings.scaleSeconds } : settings;
        results.servers[name][opName] = await measureOperation({ load, server, op, settings: opSettings, poolFile, log: opLog });
      }
    } finally {
      await server.stop();
    }
  }
  if (selected('scaling')) results.scaling = await measureScaling(load);
  await load.stop();
  results.finished = new Date().toISOString();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(rawDir, `${stamp}.json`), JSON.stringify(results, null, 2));
  writeReport(results, resultsDir);
  log(`wrote ${join(resultsDir, 'latest.md')} (${Math.round((Date.now() - started) / 1000)} s)`);
} finally {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
}

/** The commit measured, marked when the working tree differs from it. */
function commitOf() {
  try {
    const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return (
      git('rev-parse', '--short', 'HEAD') +
      (git('status', '--porcelain', '--', 'src', 'schema.sql', 'wrangler.toml') ? ' (with uncommitted changes)' : '')
    );
  } catch {
    return 'unknown';
  }
}

/**
 * How cost grows with the number of instances: a fresh edge-dcr, its template holding 1,000, 10,000
 * and 100,000 instances (rows inserted straight into D1), registration and token requests over HTTP.
 */
async function measureScaling(load) {
  log('edge-dcr scaling: starting');
  const server = await startEdgeDcr({ ...context, direct: true });
  const scaleSettings = { ...settings, seconds: settings.scaleSeconds };
  const out = {};
  try {
    for (const size of settings.scaleSizes) {
      out[size] = {};
      for (const opName of ['client_credentials', 'registration']) {
        log(`edge-dcr with ${size} instances: ${opName}`);
        // Each window starts from exactly `size` instances (registrations of the previous window removed).
        const op = { ...server.ops[opName], beforeWindow: () => server.setInstances(size) };
        const opLog = (message) => log(`  ${message}`);
        out[size][opName] = await measureOperation({ load, server, op, settings: scaleSettings, poolFile, log: opLog });
      }
    }
  } finally {
    await server.stop();
  }
  return out;
}

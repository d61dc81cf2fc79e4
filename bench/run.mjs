// `npm run bench`: edge-dcr against node-oidc-provider, workers-oauth-provider and a hello-world Worker.
// Every server is started up front; then, operation by operation, the servers that have it run interleaved:
// round k gives every server one window, the order rotated by k. Each window records req/s, p50, p99 and the
// server process tree's CPU ms per request (from /proc). The server is pinned to one core, the load generator
// (autocannon) to the other. Writes latest.md and chart.svg (in bench/results/, or BENCH_OUT), the worldwide
// latency model (latency-model.md and .svg, from docs/storage-waves.json) and the raw figures under bench/results/raw/.
// Workers run under Miniflare on a socket straight into the Worker (what raw `workerd serve` does); the
// `name@entry` servers (only when BENCH_ONLY names them) go through Miniflare's entry Worker, which proxies
// every request. `bounds` is a probe Worker timing the pieces a request is made of.
// `--base <rev>` (or BENCH_BASE) adds edge-dcr built from commit <rev> (in a temporary git worktree) as a
// server of its own, interleaved with the working tree's, and the report compares the two.
// Settings (environment): BENCH_SECONDS (6), BENCH_WARMUP (2), BENCH_RUNS (5), BENCH_CONNECTIONS (32),
// BENCH_SCALE_SECONDS (5, also the probes' windows), BENCH_SCALE_SIZES (1000,10000,100000), BENCH_ONLY
// (comma-separated names from SERVERS below, plus `scaling`; default: all but the @entry ones), BENCH_OPS
// (comma-separated operations, e.g. client_credentials,registration; default: all), BENCH_OUT (report directory),
// BENCH_NICE (scheduling priority, opt-in), BENCH_MAX_OTHERS (a share, e.g. 0.2: rerun a window in which other
// processes took more than that of the server's core, at most twice; opt-in).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateSigningKeys } from '../scripts/signing-keys.mjs';
import { checkoutBase } from './lib/base.mjs';
import { startChild, stopAll } from './lib/children.mjs';
import { writeLatencyModel } from './lib/latency.mjs';
import { measureInterleaved } from './lib/measure.mjs';
import { machine } from './lib/machine.mjs';
import { benchSettings, cores } from './lib/settings.mjs';
import { writeReport } from './lib/report.mjs';
import { deployConfig, startEdgeDcr } from './targets/edge-dcr.mjs';
import { startHello } from './targets/hello.mjs';
import { startBounds } from './targets/bounds.mjs';
import { startOidcProvider } from './targets/oidc-provider.mjs';
import { startWorkersOAuthProvider } from './targets/workers-oauth-provider.mjs';

const env = process.env;
const { values: args } = parseArgs({ options: { base: { type: 'string' } } });
const settings = benchSettings(env);
const baseRev = args.base ?? env.BENCH_BASE;
const only = env.BENCH_ONLY?.split(',');
const onlyOps = env.BENCH_OPS?.split(',');
const selected = (name) => (only ? only.includes(name) : !name.endsWith('@entry'));

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const outDir = env.BENCH_OUT ? resolve(env.BENCH_OUT) : resultsDir;
const rawDir = join(resultsDir, 'raw');
mkdirSync(rawDir, { recursive: true });
mkdirSync(outDir, { recursive: true });
const workDir = mkdtempSync(join(tmpdir(), 'edge-dcr-bench-'));
const poolFile = join(workDir, 'pool.json');
const log = (message) => console.log(`bench: ${message}`);

const started = new Date();
const keys = generateSigningKeys(); // edge-dcr and node-oidc-provider sign with the same keys
const { compatibilityDate, compatibilityFlags } = deployConfig();
const context = { core: cores.server, keys, workDir, compatibilityDate, compatibilityFlags };

// A base commit is checked out before anything starts, and removed however the run ends.
let base = null;
process.on('exit', () => {
  base?.remove();
  rmSync(workDir, { recursive: true, force: true });
});
if (baseRev) {
  try {
    base = checkoutBase(baseRev, workDir);
  } catch (error) {
    console.error(`bench: cannot check out the base ${baseRev}: ${String(error.stderr ?? error.message).trim()}`);
    process.exit(2);
  }
}
if (base) log(`base ${base.rev} = ${base.commit} checked out in ${base.dir}`);

/** The opt-in per-isolate cache of client and template reads, with a staleness bound of 60 s. */
const CACHED_VARS = { CLIENT_CACHE_SECONDS: '60' };
/** Operations that read a client or a template (discovery and JWKS read neither). */
const CLIENT_OPS = ['client_credentials', 'registration', 'code', 'refresh'];

const direct = (start) => (ctx) => start({ ...ctx, direct: true });
/** name: the server's name in the report; select: its name in BENCH_ONLY (default: name); ops: a subset of its operations. */
const SERVERS = [
  { name: 'hello', start: direct(startHello) },
  { name: 'edge-dcr', start: direct(startEdgeDcr) },
  ...(base ? [{ name: `edge-dcr@${base.short}`, start: direct((ctx) => startEdgeDcr({ ...ctx, root: base.dir })), always: true }] : []),
  {
    name: 'edge-dcr (cached)',
    select: 'edge-dcr-cached',
    start: direct((ctx) => startEdgeDcr({ ...ctx, vars: CACHED_VARS })),
    ops: CLIENT_OPS,
  },
  { name: 'node-oidc-provider', start: startOidcProvider },
  { name: 'workers-oauth-provider', start: direct(startWorkersOAuthProvider) },
  { name: 'bounds', start: direct(startBounds), settings: { ...settings, seconds: settings.scaleSeconds } },
  { name: 'hello@entry', start: startHello },
  { name: 'edge-dcr@entry', start: startEdgeDcr },
  { name: 'workers-oauth-provider@entry', start: startWorkersOAuthProvider },
].filter((s) => s.always || selected(s.select ?? s.name));

const results = {
  settings,
  started: started.toISOString(),
  commit: commitOf(),
  ...(base && { base: { rev: base.rev, commit: base.commit, name: `edge-dcr@${base.short}` } }),
  cachedVars: CACHED_VARS,
  machine: machine(),
  servers: {},
  scaling: null,
};
try {
  const load = await startChild(fileURLToPath(new URL('./lib/load-process.mjs', import.meta.url)), { core: cores.load });
  const running = [];
  try {
    for (const spec of SERVERS) {
      log(`${spec.name}: starting`);
      const server = await spec.start(context);
      running.push({ spec, server });
      results.servers[spec.name] = {};
      if (server.missing && Object.keys(server.missing).length) results.missing = { ...results.missing, [spec.name]: server.missing };
    }
    for (const opName of operationsOf(running)) {
      const entries = running
        .filter(({ spec, server }) => server.ops[opName] && (!spec.ops || spec.ops.includes(opName)))
        .map(({ spec, server }) => ({ name: spec.name, server, op: server.ops[opName], settings: spec.settings }));
      log(`${opName}: ${entries.map((e) => e.name).join(', ')}`);
      const measured = await measureInterleaved({ load, entries, settings, poolFile, cores, log });
      for (const [name, figures] of Object.entries(measured)) results.servers[name][opName] = figures;
    }
  } finally {
    await Promise.all(running.map(({ server }) => server.stop()));
  }
  if (selected('scaling')) results.scaling = await measureScaling(load);
  await load.stop();
  results.finished = new Date().toISOString();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(rawDir, `${stamp}.json`), JSON.stringify(results, null, 2));
  results.latencyModel = writeLatencyModel(outDir);
  writeReport(results, outDir);
  log(`wrote ${join(outDir, 'latest.md')} (${Math.round((Date.now() - started) / 1000)} s)`);
} finally {
  await stopAll();
}

/** Every operation of the running servers (or those BENCH_OPS names), each once, in the order the servers list them. */
function operationsOf(running) {
  const all = running.flatMap(({ spec, server }) => Object.keys(server.ops).filter((op) => !spec.ops || spec.ops.includes(op)));
  return [...new Set(all)].filter((op) => !onlyOps || onlyOps.includes(op));
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
 * How cost grows with the number of instances: one fresh edge-dcr per size, its template holding 1,000, 10,000
 * and 100,000 instances (rows inserted straight into D1), registration and token requests over HTTP,
 * the sizes interleaved round by round like the servers.
 */
async function measureScaling(load) {
  const scaleSettings = { ...settings, seconds: settings.scaleSeconds };
  const servers = [];
  const out = {};
  try {
    for (const size of settings.scaleSizes) {
      log(`edge-dcr with ${size} instances: starting`);
      const server = await startEdgeDcr({ ...context, direct: true });
      servers.push(server);
      await server.setInstances(size);
      out[size] = {};
    }
    for (const opName of ['client_credentials', 'registration']) {
      log(`scaling ${opName}`);
      // Each window starts from exactly `size` instances (registrations of the previous window removed).
      const entries = settings.scaleSizes.map((size, i) => ({
        name: String(size),
        server: servers[i],
        op: { ...servers[i].ops[opName], beforeWindow: () => servers[i].setInstances(size) },
      }));
      const measured = await measureInterleaved({ load, entries, settings: scaleSettings, poolFile, cores, log });
      for (const [size, figures] of Object.entries(measured)) out[size][opName] = figures;
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
  return out;
}

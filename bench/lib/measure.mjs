import { writeFileSync } from 'node:fs';
import { startCpuReading } from './cpu.mjs';

/** Middle value; for an even count, the mean of the two middle values. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (max - min) / median of the values: how far the rounds of one figure were apart. */
function spread(values) {
  const m = median(values);
  return m > 0 ? (Math.max(...values) - Math.min(...values)) / m : undefined;
}

/** The run in which other processes took least of the server's core. */
const quietest = (runs) => runs.filter((r) => r.otherCpuShare !== undefined).sort((a, b) => a.otherCpuShare - b.otherCpuShare)[0];

const defined = (values) => values.filter((v) => v !== undefined && Number.isFinite(v));

/** The figures of one server and operation: each is the median over the rounds, with the spread of req/s and CPU. */
export function summarize(runs) {
  const cpu = defined(runs.map((r) => r.cpuMsPerRequest));
  const medianOf = (key) => {
    const values = defined(runs.map((r) => r[key]));
    return values.length ? median(values) : undefined;
  };
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMsPerRequest: medianOf('cpuMsPerRequest'),
    // Contention raises CPU per request too (caches, switches): the round in which others took least of the core.
    cpuMsPerRequestQuietest: quietest(runs)?.cpuMsPerRequest,
    rpsSpread: spread(runs.map((r) => r.rps)),
    cpuSpread: cpu.length ? spread(cpu) : undefined,
    serverBusyShare: medianOf('serverBusyShare'),
    serverWaitShare: medianOf('serverWaitShare'),
    otherCpuShare: medianOf('otherCpuShare'),
    loadCpuShare: medianOf('loadCpuShare'),
    loadWaitShare: medianOf('loadWaitShare'),
    loadOtherCpuShare: medianOf('loadOtherCpuShare'),
    failed: runs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
    requests: runs.reduce((n, r) => n + r.ok, 0),
  };
}

/**
 * One operation of one server, window by window, with the same load generator, connections and request
 * shape for every server. One-time inputs (IATs, codes, refresh tokens) are prepared before each window,
 * sized from the rate seen so far; a window that spends its whole pool is run again with a larger one, so no
 * measured window ends early. Each window also reads the CPU time of the server's process tree (`server.pid`),
 * of the load generator (`load.pid`) and of the cores they are pinned to (`cores`), outside the pool preparation.
 */
export function operationWindows({ load, server, op, settings, poolFile, cores, log }) {
  const base = {
    url: server.url,
    connections: settings.connections,
    kind: op.kind,
    method: op.method,
    path: op.path,
    headers: op.headers,
    body: op.body,
    form: op.form,
  };
  const window = async (seconds, poolSize) => {
    await op.beforeWindow?.();
    // Newest first: one-time inputs expire (codes after a minute), and a pool holds more than a window spends.
    if (op.pool) writeFileSync(poolFile, JSON.stringify((await op.pool(poolSize)).reverse()));
    const endServer = server.pid ? startCpuReading(server.pid, cores.server) : null;
    const endLoad = load.pid ? startCpuReading(load.pid, cores.load) : null;
    const run = (await load.call({ ...base, seconds, poolFile })).result;
    return { ...run, ...cpuFigures(run, endServer?.(), endLoad?.()) };
  };
  // Chains need only a token per connection (plus spares for broken chains); pools one input per request.
  const poolSizeFor = (rate, seconds) =>
    op.kind === 'chain' ? settings.connections * 2 : Math.ceil(rate * seconds * 2) + settings.connections * 4;
  let rate = settings.warmupRate;

  return {
    async warmup() {
      const warm = await window(settings.warmup, poolSizeFor(settings.warmupRate, settings.warmup));
      rate = warm.exhausted ? Math.max(warm.rps, settings.warmupRate) * 2 : warm.rps;
      log(`warm-up ${fmt(warm)}`);
      return warm;
    },
    /**
     * One measured window. With `settings.maxOthers`, a window in which other processes took more than that
     * share of the server's core is run again, at most `settings.quietRetries` times, and the quietest is kept.
     */
    async measured(label) {
      let kept;
      for (let retries = 0; ; ) {
        const run = await window(settings.seconds, poolSizeFor(rate, settings.seconds));
        if (run.exhausted && op.kind !== 'chain') {
          log(`${label}: pool spent after ${run.seconds}s; again with a larger pool`);
          rate = Math.max(rate, run.rps) * 2;
          continue;
        }
        rate = Math.max(rate, run.rps);
        if (!kept || (run.otherCpuShare ?? 0) < (kept.otherCpuShare ?? 0)) kept = { ...run, retries };
        if (settings.maxOthers === undefined || !(run.otherCpuShare > settings.maxOthers) || retries >= settings.quietRetries) {
          log(`${label}: ${fmt(kept)}${retries ? ` (quietest of ${retries + 1})` : ''}`);
          return kept;
        }
        retries++;
        log(`${label}: ${fmt(run)}; others took too much of the server's core, again`);
      }
    },
  };
}

/**
 * CPU ms per completed request (2xx or not); the share of the window the server kept its core busy; how long
 * (as a share of the window) the most delayed thread of the server, and of the load generator, waited, ready
 * to run, for its core; and the shares others (other processes, the hypervisor) took of both cores.
 */
function cpuFigures(run, server, load) {
  if (!server) return {};
  const completed = run.ok + run.non2xx;
  const share = (ms, reading) => (ms === undefined ? undefined : ms / reading.wallMs);
  return {
    wallMs: server.wallMs,
    serverCpuMs: server.treeCpuMs,
    cpuMsPerRequest: server.treeCpuMs !== undefined && completed > 0 ? server.treeCpuMs / completed : undefined,
    serverBusyShare: share(server.treeCpuMs, server),
    serverWaitShare: share(server.waitMs, server),
    otherCpuShare: share(server.otherCpuMs, server),
    ...(load && {
      loadCpuShare: share(load.treeCpuMs, load),
      loadWaitShare: share(load.waitMs, load),
      loadOtherCpuShare: share(load.otherCpuMs, load),
    }),
  };
}

/**
 * Several servers on one operation, interleaved: every entry warms up, then round k runs one window of
 * every entry, the order rotated by k so that no entry always goes first (or last).
 * `entries` are {name, server, op, settings?}; the result maps each name to its runs and their medians.
 */
export async function measureInterleaved({ load, entries, settings, poolFile, cores, log }) {
  const windows = entries.map((entry) => ({
    entry,
    runs: [],
    windows: operationWindows({
      load,
      server: entry.server,
      op: entry.op,
      settings: entry.settings ?? settings,
      poolFile,
      cores,
      log: (message) => log(`  ${entry.name} ${message}`),
    }),
  }));
  for (const w of windows) await w.windows.warmup();
  const rounds = Math.max(...windows.map((w) => (w.entry.settings ?? settings).runs));
  for (let round = 0; round < rounds; round++) {
    const order = windows.map((_, i) => windows[(i + round) % windows.length]);
    for (const w of order) w.runs.push(await w.windows.measured(`round ${round + 1}`));
  }
  return Object.fromEntries(
    windows.map(({ entry, runs }) => [entry.name, { runs, ...summarize(runs), ...(entry.op.note ? { note: entry.op.note } : {}) }]),
  );
}

const pct = (share) => `${Math.round(share * 100)}%`;
const fmt = (r) =>
  `${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
  (r.cpuMsPerRequest !== undefined ? `, CPU ${r.cpuMsPerRequest.toFixed(2)} ms/req` : '') +
  (r.serverBusyShare !== undefined ? `, server core busy ${pct(r.serverBusyShare)}` : '') +
  (r.otherCpuShare > 0.05 ? `, others took ${pct(r.otherCpuShare)} of it` : '') +
  (r.serverWaitShare > 0.05 ? `, server waited ${pct(r.serverWaitShare)} for it` : '') +
  (r.loadWaitShare > 0.05 ? `, load generator waited ${pct(r.loadWaitShare)}` : '') +
  (r.non2xx + r.errors + r.timeouts ? `, ${r.non2xx} non-2xx, ${r.errors} errors; first failure: ${r.firstFailure}` : '');

import { writeFileSync } from 'node:fs';

/** Middle value; for an even count, the mean of the two middle values. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median run's figures: each of req/s, p50 and p99 is the median over the runs. */
export function summarize(runs) {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    failed: runs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
    requests: runs.reduce((n, r) => n + r.ok, 0),
  };
}

/**
 * Measures one operation of one server: a warm-up window, then `runs` windows of `seconds`, all with
 * the same load generator, connections and request shape. One-time inputs (IATs, codes, refresh tokens)
 * are prepared before each window, sized from the rate seen so far; a window that spends its whole pool
 * is run again with a larger one, so no measured window ends early.
 */
export async function measureOperation({ load, server, op, settings, poolFile, log }) {
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
    if (op.pool) writeFileSync(poolFile, JSON.stringify(await op.pool(poolSize)));
    return (await load.call({ ...base, seconds, poolFile })).result;
  };
  // Chains need only a token per connection (plus spares for broken chains); pools one input per request.
  const poolSizeFor = (rate, seconds) =>
    op.kind === 'chain' ? settings.connections * 2 : Math.ceil(rate * seconds * 2) + settings.connections * 4;

  const warm = await window(settings.warmup, poolSizeFor(settings.warmupRate, settings.warmup));
  let rate = warm.exhausted ? Math.max(warm.rps, settings.warmupRate) * 2 : warm.rps;
  log(`warm-up ${fmt(warm)}`);
  const runs = [];
  while (runs.length < settings.runs) {
    const run = await window(settings.seconds, poolSizeFor(rate, settings.seconds));
    if (run.exhausted && op.kind !== 'chain') {
      log(`pool spent after ${run.seconds}s; again with a larger pool`);
      rate = Math.max(rate, run.rps) * 2;
      continue;
    }
    log(`run ${runs.length + 1}: ${fmt(run)}`);
    runs.push(run);
    rate = Math.max(rate, run.rps);
  }
  return { runs, ...summarize(runs), ...(op.note ? { note: op.note } : {}) };
}

const fmt = (r) =>
  `${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
  (r.non2xx + r.errors + r.timeouts ? `, ${r.non2xx} non-2xx, ${r.errors} errors; first failure: ${r.firstFailure}` : '');

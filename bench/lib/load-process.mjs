// The load generator: autocannon in its own process, pinned to the core the server does not use.
// Receives one job at a time over IPC and answers with the measured figures. Kinds of job:
//   fixed  the same request every time (discovery, JWKS, client_credentials, hello);
//   pool   each request spends the next one-time input of a pool prepared before the window (IATs, codes);
//   chain  each connection refreshes with the refresh token its previous response returned (rotation).
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { pinToCore } from './affinity.mjs';
import { childConfig } from './child-config.mjs';

pinToCore(childConfig().core);

/** Counts answers by status and keeps the first failure's body, so a failing run says why. */
function tally(state) {
  state.statuses = {};
  return (status, body) => {
    state.statuses[status] = (state.statuses[status] ?? 0) + 1;
    if (status >= 300 && state.firstFailure === undefined) state.firstFailure = `${status} ${String(body).slice(0, 300)}`;
  };
}

function requestsFor(job) {
  const base = { method: job.method, path: job.path, headers: job.headers ?? {}, body: job.body };
  if (job.kind === 'fixed') {
    const state = {};
    return { requests: [{ ...base, onResponse: tally(state) }], state };
  }
  const pool = JSON.parse(readFileSync(job.poolFile, 'utf8'));
  const state = { used: 0, exhausted: false };
  const count = tally(state);
  const take = () => {
    if (state.used >= pool.length) {
      if (!state.exhausted) state.onExhausted?.();
      state.exhausted = true;
      return pool[pool.length - 1];
    }
    return pool[state.used++];
  };
  if (job.kind === 'pool') {
    // Each pool item is {headers?, body?} completing the base request.
    const setupRequest = (req) => {
      const item = take();
      return { ...req, headers: { ...req.headers, ...item.headers }, body: item.body ?? req.body };
    };
    return { requests: [{ ...base, setupRequest, onResponse: count }], state };
  }
  if (job.kind === 'chain') {
    // Pool items are refresh tokens; `job.form` is the rest of the form body. Each answer's new refresh
    // token goes back into the queue (autocannon resets per-connection context after every request).
    const queue = [];
    const next = () => queue.shift() ?? take();
    const setupRequest = (req) => ({ ...req, body: new URLSearchParams({ ...job.form, refresh_token: next() }).toString() });
    const onResponse = (status, body) => {
      count(status, body);
      if (status === 200) queue.push(JSON.parse(body).refresh_token);
    };
    return { requests: [{ ...base, setupRequest, onResponse }], state };
  }
  throw new Error(`unknown job kind ${job.kind}`);
}

async function run(job) {
  const { requests, state } = requestsFor(job);
  const instance = autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    requests,
    timeout: 10,
  });
  // A spent pool ends the window early: what follows would only measure error answers.
  state.onExhausted = () => instance.stop();
  const result = await instance;
  return {
    seconds: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    // Only successful answers count as throughput.
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    used: state.used,
    exhausted: state.exhausted ?? false,
    statuses: state.statuses,
    firstFailure: state.firstFailure,
  };
}

process.on('message', async (job) => {
  if (job.type === 'stop') process.exit(0);
  try {
    process.send({ ok: true, result: await run(job) });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });

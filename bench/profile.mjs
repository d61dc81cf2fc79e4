// `npm run bench:profile -- <operation>`: where edge-dcr's CPU goes in one operation of `npm run bench`. The working
// tree's Worker runs under Miniflare as the benchmark runs it, with workerd's V8 inspector open; after the warm-up,
// the CPU profiler samples one measured window of load. Prints the functions that took most of the sampled time
// (self, and inclusive of what they called) and writes the whole profile for Chrome DevTools' Performance panel to
// bench/results/raw/<operation>-<time>.cpuprofile. The profiler slows every call it samples: compare the shares
// within one profile, and measure any change with `npm run bench -- --base <rev>`. Line numbers are those of the
// bundle (`npx wrangler deploy --dry-run --outdir <dir>` writes the same one).
// Operations: discovery, jwks, client_credentials, registration, code, refresh. Settings (environment): those of
// bench/run.mjs (BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNECTIONS), BENCH_VARS (JSON of wrangler vars to override,
// e.g. {"CLIENT_CACHE_SECONDS":"60"}), BENCH_INSPECTOR_PORT (9229), BENCH_TOP (30 rows).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKeys } from '../scripts/signing-keys.mjs';
import { startChild, stopAll } from './lib/children.mjs';
import { operationWindows } from './lib/measure.mjs';
import { benchSettings, cores } from './lib/settings.mjs';
import { startEdgeDcr } from './targets/edge-dcr.mjs';

const env = process.env;
const opName = process.argv[2];
// One measured window, never repeated.
const settings = { ...benchSettings(env), runs: 1, quietRetries: 0 };
const inspectorPort = Number(env.BENCH_INSPECTOR_PORT ?? 9229);
const top = Number(env.BENCH_TOP ?? 30);
/** Sampling interval of the V8 profiler, µs: fine enough for a request of a tenth of a millisecond. */
const SAMPLING_INTERVAL_US = 50;

const rawDir = fileURLToPath(new URL('./results/raw/', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'edge-dcr-profile-'));
const poolFile = join(workDir, 'pool.json');
const log = (message) => console.log(`profile: ${message}`);
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

try {
  const server = await startEdgeDcr({
    core: cores.server,
    keys: generateSigningKeys(),
    workDir,
    direct: true,
    vars: JSON.parse(env.BENCH_VARS ?? '{}'),
    inspectorPort,
  });
  const op = server.ops[opName];
  if (!op) throw new Error(`no operation ${opName ?? '(none named)'}: one of ${Object.keys(server.ops).join(', ')}`);
  const load = await startChild(fileURLToPath(new URL('./lib/load-process.mjs', import.meta.url)), { core: cores.load });
  const windows = operationWindows({ load, server, op, settings, poolFile, cores, log });
  await windows.warmup();
  const inspector = await openInspector(inspectorPort, 'edge-dcr');
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await inspector.send('Profiler.start');
  await windows.measured('profiled');
  const { profile } = await inspector.send('Profiler.stop');
  inspector.close();
  await load.stop();
  await server.stop();

  mkdirSync(rawDir, { recursive: true });
  const file = join(rawDir, `${opName}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { self, inclusive } = shares(profile);
  console.log(`\nself time (the function's own code), share of samples:\n${table(self, top)}`);
  console.log(`\ninclusive time (with what it called):\n${table(inclusive, top)}`);
  log(`wrote ${file}`);
} finally {
  await stopAll();
}

/** A Chrome DevTools Protocol session with the inspector target whose title names `worker`. */
async function openInspector(port, worker) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.title?.includes(worker));
  if (!target) throw new Error(`no inspector target for ${worker} among ${targets.map((t) => t.title).join(', ')}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot open ${target.webSocketDebuggerUrl}`));
  });
  const pending = new Map();
  socket.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    const answer = pending.get(message.id);
    if (!answer) return;
    pending.delete(message.id);
    if (message.error) answer.reject(new Error(`${message.error.message} (${message.error.code})`));
    else answer.resolve(message.result);
  };
  let lastId = 0;
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++lastId;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Each function's share of the samples: its own (self) and with its callees (inclusive, counted once per stack). */
function shares({ nodes, samples }) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parentOf = new Map(nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id])));
  const nameOf = ({ callFrame: f }) =>
    `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();
  const self = new Map();
  const inclusive = new Map();
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const sample of samples) {
    add(self, nameOf(byId.get(sample)));
    const onStack = new Set();
    for (let id = sample; id !== undefined; id = parentOf.get(id)) onStack.add(nameOf(byId.get(id)));
    for (const name of onStack) add(inclusive, name);
  }
  const asShares = (map) => [...map].map(([name, count]) => [name, count / samples.length]).sort((a, b) => b[1] - a[1]);
  return { self: asShares(self), inclusive: asShares(inclusive) };
}

function table(rows, count) {
  return rows
    .slice(0, count)
    .map(([name, share]) => `${(share * 100).toFixed(1).padStart(6)}%  ${name}`)
    .join('\n');
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBES } from '../targets/bounds.mjs';
import { chartSvg } from './chart.mjs';
import { latencyTable } from './latency.mjs';
import { median } from './measure.mjs';
import { CACHED, displayName, edgeServers, OPERATIONS, PEERS } from './names.mjs';

/** Registration at ed950b8 in the full run of 2026-11-27 (issue 9's "today"), for when no base runs alongside. */
const RECORDED_BASE = { commit: 'ed950b8', registration: 145 };

/** Targets of issue 9: edge-dcr's throughput over another server's, per operation. `versus: 'base'` is the base commit. */
const TARGETS = [
  { op: 'registration', server: 'edge-dcr', versus: 'base', min: 4 },
  { op: 'registration', server: 'edge-dcr', versus: 'workers-oauth-provider', min: 1 },
  { op: 'code', server: 'edge-dcr', versus: 'workers-oauth-provider', min: 1 },
  { op: 'refresh', server: 'edge-dcr', versus: 'workers-oauth-provider', min: 1.2 },
  { op: 'client_credentials', server: 'edge-dcr', versus: 'node-oidc-provider', min: 0.5 },
  { op: 'client_credentials', server: CACHED, versus: 'node-oidc-provider', min: 2 },
];
/** p50 from the fewest to the most instances, within this fraction. */
const FLAT = 0.2;

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n === undefined ? '' : `${n < 10 ? n.toFixed(1) : Math.round(n)}`);
const cpu = (r) => (r?.cpuMsPerRequest === undefined ? 'n/a' : r.cpuMsPerRequest.toFixed(2));
const pct = (n) => (n === undefined ? 'n/a' : `${Math.round(n * 100)}%`);
const x = (r) => (r === undefined ? 'n/a' : `${r.value.toFixed(2)}x`);
/** The ratio with the range of its rounds, where it has them. */
const xRange = (r) => (r?.min === undefined ? x(r) : `${x(r)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`);
const opLabel = (op) => OPERATIONS.find(([name]) => name === op)?.[1] ?? op;
/** Ours over theirs by throughput, and by CPU per request (their CPU over ours: also above 1 when ours is cheaper). */
const BY_RPS = (ours, theirs) => ours.rps / theirs.rps;
const BY_CPU = (ours, theirs) => theirs.cpuMsPerRequest / ours.cpuMsPerRequest;
/**
 * A ratio of two servers measured in the same run: the median of the per-round ratios (the two windows of a
 * round are close in time, so a slow drift of the machine's load cancels out), with their range. The ratio
 * of the figures themselves where the rounds do not pair (a recorded figure, a different number of rounds).
 */
function ratio(ours, theirs, of) {
  if (!ours || !theirs) return undefined;
  if (ours.runs?.length && ours.runs.length === theirs.runs?.length) {
    const each = ours.runs.map((r, i) => of(r, theirs.runs[i])).filter(Number.isFinite);
    if (each.length) return { value: median(each), min: Math.min(...each), max: Math.max(...each) };
  }
  const value = of(ours, theirs);
  return Number.isFinite(value) ? { value } : undefined;
}
const rpsRatio = (ours, theirs) => ratio(ours, theirs, BY_RPS);
const cpuRatio = (ours, theirs) => ratio(ours, theirs, BY_CPU);
const verdict = (r, min) => (r === undefined ? 'n/a' : r.value >= min ? 'met' : '**missed**');

export function writeReport(results, dir) {
  writeFileSync(join(dir, 'chart.svg'), chartSvg(results));
  writeFileSync(join(dir, 'latest.md'), markdown(results));
}

/** The targets of issue 9, each judged on the req/s ratio it is stated in, with the CPU ratio beside it. */
function targetsTable(p, results) {
  const { servers, base } = results;
  p('| target | edge-dcr | versus | req/s ratio | verdict | CPU ratio | verdict by CPU |', '|---|---|---|---:|---|---:|---|');
  for (const t of TARGETS) {
    const ours = servers[t.server]?.[t.op];
    let theirs;
    let versus;
    if (t.versus === 'base' && base && servers[base.name]) {
      theirs = servers[base.name][t.op];
      versus = `${base.name}, this run`;
    } else if (t.versus === 'base') {
      theirs = { rps: RECORDED_BASE[t.op] };
      versus = `${RECORDED_BASE[t.op]} req/s recorded at ${RECORDED_BASE.commit} (another run: noisy; run with \`--base ${RECORDED_BASE.commit}\`)`;
    } else {
      theirs = servers[t.versus]?.[t.op];
      versus = t.versus;
    }
    const name = `${opLabel(t.op)} >= ${t.min}x ${t.versus === 'base' ? 'the base' : t.versus}`;
    const mine = ours
      ? `${displayName(t.server, results)}: ${int(ours.rps)} req/s, ${cpu(ours)} ms`
      : `${displayName(t.server, results)} not measured`;
    const them = theirs
      ? `${versus}${theirs.cpuMsPerRequest !== undefined ? `: ${int(theirs.rps)} req/s, ${cpu(theirs)} ms` : ''}`
      : `${versus} not measured`;
    const byRps = rpsRatio(ours, theirs);
    const byCpu = cpuRatio(ours, theirs);
    p(`| ${name} | ${mine} | ${them} | ${xRange(byRps)} | ${verdict(byRps, t.min)} | ${xRange(byCpu)} | ${verdict(byCpu, t.min)} |`);
  }
  const flat = flatness(results.scaling);
  if (flat) {
    const cells = flat.map(({ op, growth }) => `${op} ${growth >= 0 ? '+' : ''}${Math.round(growth * 100)}%`).join(', ');
    const met = flat.every(({ growth }) => Math.abs(growth) <= FLAT);
    p(
      `| p50 flat within ${FLAT * 100}% from ${flat[0].from} to ${flat[0].to} instances | ${cells} | | | ${met ? 'met' : '**missed**'} | | |`,
    );
  } else {
    p(`| p50 flat within ${FLAT * 100}% from 1,000 to 100,000 instances | scaling not run | | | n/a | | |`);
  }
}

/** p50's change from the fewest instances to the most, for tokens and registration. */
function flatness(scaling) {
  if (!scaling) return null;
  const sizes = Object.keys(scaling);
  const first = scaling[sizes[0]];
  const last = scaling[sizes.at(-1)];
  return ['client_credentials', 'registration']
    .filter((op) => first[op] && last[op])
    .map((op) => ({
      op: op === 'registration' ? 'registration' : 'token',
      growth: (last[op].p50 - first[op].p50) / first[op].p50,
      from: int(Number(sizes[0])),
      to: int(Number(sizes.at(-1))),
    }));
}

/** The base commit against the working tree, per operation. */
function baseTable(p, results) {
  const { servers, base } = results;
  const before = servers[base.name];
  const after = servers['edge-dcr'];
  p(
    `| operation | ${base.name} req/s | edge-dcr (tree) req/s | req/s ratio | ${base.name} CPU ms/req | edge-dcr (tree) CPU ms/req | CPU ratio | p50 ms before → after |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [op, label] of OPERATIONS) {
    const b = before?.[op];
    const a = after?.[op];
    if (!a && !b) continue;
    p(
      `| ${label} | ${b ? int(b.rps) : 'n/a'} | ${a ? int(a.rps) : 'n/a'} | ${xRange(rpsRatio(a, b))} | ${cpu(b)} | ${cpu(a)} | ${xRange(cpuRatio(a, b))} | ` +
        `${b ? ms(b.p50) : 'n/a'} → ${a ? ms(a.p50) : 'n/a'} |`,
    );
  }
}

/** edge-dcr against each peer and the ceiling; `suffix` picks the Workers' serving mode. */
function ratioTable(p, { servers, missing }, suffix) {
  const edge = servers[`edge-dcr${suffix}`] ?? {};
  const others = [
    ['node-oidc-provider', servers['node-oidc-provider']],
    [`workers-oauth-provider${suffix}`, servers[`workers-oauth-provider${suffix}`]],
    // The ceiling ran as an operation of its own: its rounds do not pair with edge-dcr's, so the figures compare as they are.
    [`hello-world${suffix} ceiling`, servers[`hello${suffix}`] && { ceiling: { ...servers[`hello${suffix}`].hello, runs: undefined } }],
  ];
  p(`| operation | ${others.map(([name]) => `vs ${name}`).join(' | ')} |`, `|---|${others.map(() => '---:').join('|')}|`);
  for (const [op, label] of OPERATIONS) {
    const cells = others.map(([, other]) => {
      const theirs = other && (other.ceiling ?? other[op]);
      if (!theirs) return 'n/a';
      if (!edge[op]) return `edge-dcr not measured${missing?.[`edge-dcr${suffix}`]?.[op] ? ' (see below)' : ''}`;
      return `${x(rpsRatio(edge[op], theirs))} (CPU ${x(cpuRatio(edge[op], theirs))})`;
    });
    p(`| ${label} | ${cells.join(' | ')} |`);
  }
}

const FIGURE_COLUMNS =
  'CPU ms/req (quietest round) | req/s | p50 ms | p99 ms | spread CPU / req/s | server core: busy / others | waited: server / load | failed';
const figureCells = (r) =>
  `**${cpu(r)}** (${r.cpuMsPerRequestQuietest?.toFixed(2) ?? 'n/a'}) | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${pct(r.cpuSpread)} / ${pct(r.rpsSpread)} | ` +
  `${pct(r.serverBusyShare)} / ${pct(r.otherCpuShare)} | ${pct(r.serverWaitShare)} / ${pct(r.loadWaitShare)} | ${r.failed}`;

function markdown(results) {
  const { settings: s, machine: m, servers, base } = results;
  const lines = [];
  const p = (...l) => lines.push(...l);

  p(
    '# edge-dcr benchmark',
    '',
    `Run of \`npm run bench${base ? ` -- --base ${base.rev}` : ''}\` on commit ${results.commit ?? 'unknown'}` +
      `${base ? ` against the base ${base.name} (${base.commit})` : ''}, ${results.started} to ${results.finished}. ` +
      `All servers run at once, idle but for their turn. Each operation: every server that has it warms up (${s.warmup} s), then ${s.runs} rounds; ` +
      `in each round every server runs one window of ${s.seconds} s, the order rotated by one each round, so that drift in the ` +
      "machine's load falls on all servers alike. Figures are medians over the rounds. " +
      `Load: autocannon, ${s.connections} connections, in its own process pinned to one core; the servers pinned to the other. ` +
      'Only 2xx answers count as throughput.' +
      (s.maxOthers !== undefined
        ? ` A window in which other processes took more than ${Math.round(s.maxOthers * 100)}% of the server's core ran again (at most ${s.quietRetries} times), the quietest kept.`
        : '') +
      (s.nice ? ` Servers and load generator ran at nice ${s.nice}.` : ''),
    '',
    "**CPU ms/req** is the CPU time (user + system, from `/proc/<pid>/stat`) of the server's process tree during the window " +
      '(workerd and the Node process hosting Miniflare; the Node process of node-oidc-provider), divided by the requests it answered. ' +
      'It is usually the steadier figure on a shared machine: another process on the server core slows req/s far more than it changes ' +
      'the CPU a request costs (lighter load does raise it somewhat: less work per wake-up). ' +
      '"spread" is (max - min) / median over the rounds, of CPU ms/req and of req/s. "server core: busy / others" is the share of the ' +
      "window the server's processes kept its core busy, and the share other processes (or the hypervisor) took of it (`/proc/stat`). " +
      '"waited" is how long the most delayed thread of the server, and of the load generator, was ready to run but waited for its ' +
      "core (run-queue time from `/proc/<pid>/task/*/schedstat`, as a share of the window; a server's own helper threads pinned to " +
      'the same core count too, such as the garbage-collector threads of Node). A server busy well under 100% that others left alone was not the ' +
      'bottleneck (it waited on I/O, or the load generator was starved). Contention raises CPU per request too (caches, context ' +
      'switches): "quietest round" is CPU ms/req in the round others took least of the server\'s core.',
    '',
    'Workers (edge-dcr, workers-oauth-provider, hello-world) run under Miniflare (workerd) and are measured on a socket ' +
      "straight into the Worker, as raw `workerd serve` would serve them; the `@entry` rows go through Miniflare's entry Worker, " +
      'which proxies every request (what `new Miniflare()` serves by default).',
    '',
    `Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}; load average at start ${m.loadAverage} ` +
      '(the machine is shared: other work ran during the benchmark). ' +
      `Node ${m.node}, ${m.workerd}, miniflare ${m.versions.miniflare}, wrangler ${m.versions.wrangler}, ` +
      `oidc-provider ${m.versions['oidc-provider']}, @cloudflare/workers-oauth-provider ${m.versions['@cloudflare/workers-oauth-provider']}, autocannon ${m.versions.autocannon}.`,
    '',
    '![server CPU per request and requests per second by operation](chart.svg)',
    '',
    '## Targets (issue 9)',
    '',
    'Judged on the req/s ratio, as the targets are stated; the CPU ratio (their CPU ms/req over ours, also above 1 when edge-dcr is ' +
      'cheaper) is the steadier cross-check. Ratios of servers in this run are medians of per-round ratios, with their range over the rounds. ' +
      `${CACHED} runs with ${Object.entries(results.cachedVars ?? {})
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(', ')}.`,
    '',
  );
  targetsTable(p, results);

  if (base) {
    p('', `## Base commit against the working tree (${base.name} → edge-dcr (tree))`, '');
    p(
      'Ratios above 1: the working tree serves more per second, or spends less CPU per request, than the base. Each ratio is the median ' +
        'of the per-round ratios (the two windows of a round run minutes apart at most), with their range over the rounds in brackets.',
      '',
    );
    baseTable(p, results);
  }

  p('', '## Ratios (edge-dcr throughput / other, and by CPU per request)', '');
  ratioTable(p, results, '');
  if (servers['edge-dcr@entry']) {
    p('', "Through Miniflare's entry Worker (`@entry`):", '');
    ratioTable(p, results, '@entry');
  }

  p(
    '',
    '## CPU, throughput and latency',
    '',
    `| operation | server | ${FIGURE_COLUMNS} |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const names = [...edgeServers(results), ...PEERS, 'hello', 'edge-dcr@entry', 'workers-oauth-provider@entry', 'hello@entry'];
  for (const [op, label] of [...OPERATIONS, ['hello', 'hello-world (ceiling)']]) {
    for (const name of names) {
      const r = servers[name]?.[op];
      if (r) p(`| ${label} | ${displayName(name, results)} | ${figureCells(r)} |`);
    }
  }

  if (servers.bounds) {
    p(
      '',
      '## What one request costs, piece by piece (probe Worker, direct socket)',
      '',
      'Each probe does one thing a token or registration request does, alone, in the same runtime and under the same load.',
      '',
      `| probe | ${FIGURE_COLUMNS} | what it does |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const [probe, what] of Object.entries(PROBES)) {
      const r = servers.bounds[probe];
      if (r) p(`| ${probe} | ${figureCells(r)} | ${what} |`);
    }
  }

  if (results.scaling) {
    const sizes = Object.keys(results.scaling);
    const first = results.scaling[sizes[0]];
    p(
      '',
      '## Cost as instances grow (edge-dcr)',
      '',
      `One edge-dcr per size, its template holding N instances (rows inserted straight into D1; each window starts from exactly N), ` +
        `the sizes interleaved round by round. ${s.warmup} s warm-up, ${s.runs} rounds of ${s.scaleSeconds} s each, median.`,
      '',
      '| instances | client_credentials CPU ms/req | req/s | p50 ms | p99 ms | registration CPU ms/req | req/s | p50 ms | p99 ms | p50 change vs first (token / registration) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const change = (now, was) =>
      now && was ? `${now.p50 >= was.p50 ? '+' : ''}${Math.round(((now.p50 - was.p50) / was.p50) * 100)}%` : 'n/a';
    const cells = (r) => (r ? `${cpu(r)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)}` : 'n/a | | |');
    for (const size of sizes) {
      const { client_credentials: t, registration: r } = results.scaling[size];
      p(`| ${int(Number(size))} | ${cells(t)} | ${cells(r)} | ${change(t, first.client_credentials)} / ${change(r, first.registration)} |`);
    }
  }

  if (results.latencyModel) {
    p(
      '',
      '## Worldwide latency model (round trips, not measured)',
      '',
      'From `docs/storage-waves.json` and the round-trip times assumed in `bench/latency-assumptions.json`; details, chart and sources in ' +
        '[latency-model.md](latency-model.md). Each cell: before / after / after with D1 read replicas, ms per request.',
      '',
      ...latencyTable(results.latencyModel),
    );
  }

  p(
    '',
    '## What each server does per operation',
    '',
    '- **edge-dcr**: the `wrangler deploy` bundle under Miniflare (workerd), D1 and the Ledger Durable Object (SQLite) as Miniflare simulates them, ' +
      'on the same core as the Worker; bindings and vars from `wrangler.toml`. client_credentials: static client `server` (client_secret_basic, scope `api`), ES256 JWT access token. ' +
      'Registration: POST with a one-time IAT (obtained beforehand with client_credentials scope `dcr`), `{"software_id": "template-client"}`; consumes ' +
      'the IAT in the ledger and inserts the instance in D1. Code exchange: an instance of `template-client` (client_secret_basic, PKCE S256), codes ' +
      'from the real login page (one login, then the session cookie); ES256 access token, RS256 ID token, refresh token. Refresh: rotation with reuse detection.',
    ...(base
      ? [
          `- **${base.name}**: the same, built from commit ${base.commit} (its own \`src/\`, \`schema.sql\` and \`wrangler.toml\`) in a temporary git worktree ` +
            "sharing these node_modules; the benchmark code is the working tree's. **edge-dcr (tree)** is built from the working tree.",
        ]
      : []),
    `- **${CACHED}**: the working tree's edge-dcr with the opt-in per-isolate cache of client and template reads ` +
      `(${Object.entries(results.cachedVars ?? {})
        .map(([k, v]) => `\`${k}=${v}\``)
        .join(', ')}); operations that read a client or template only. A build without the setting ignores it and measures as edge-dcr.`,
    '- **node-oidc-provider**: on Node, in-memory adapter (not durable), configured in `bench/peers/oidc-provider/server.mjs`: the same signing keys, ' +
      'ES256 JWT access tokens (resource indicators), registration behind a single-use initial access token (minted beforehand through its model), ' +
      'PKCE required, refresh token rotation, RS256 ID token on code exchange.',
    '- **workers-oauth-provider**: bundled with esbuild, under the same Miniflare with the KV simulator. Registration is open (the library has no initial ' +
      'access token), tokens are opaque, no ID token, no client_credentials grant and no JWKS. Codes come from an authorization endpoint that approves at once.',
    '- **hello-world**: a Worker answering `Hello World!` under the same Miniflare: the most a Worker can serve here.',
    '- One-time inputs (IATs, codes) are prepared before each window and each request spends one; in refresh, each request presents ' +
      'a token an earlier answer returned (rotation).',
  );
  const missing = OPERATIONS.filter(([op]) => servers['edge-dcr'] && !servers['edge-dcr'][op]);
  if (missing.length) {
    p('', '## Not measured for edge-dcr', '');
    for (const [op, label] of missing) p(`- ${label}: ${results.missing?.['edge-dcr']?.[op] ?? 'not run'}`);
  }
  return `${lines.join('\n')}\n`;
}

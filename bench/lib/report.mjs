import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSvg } from './chart.mjs';
import { PROBES } from '../targets/bounds.mjs';

export const OPERATIONS = [
  ['discovery', 'discovery GET'],
  ['jwks', 'JWKS GET'],
  ['client_credentials', 'client_credentials'],
  ['registration', 'registration'],
  ['code', 'code exchange'],
  ['refresh', 'refresh'],
];
export const PEERS = ['node-oidc-provider', 'workers-oauth-provider'];

/** Targets of issue 6: edge-dcr's throughput over a peer's (or the ceiling's), per operation. */
const TARGETS = {
  'node-oidc-provider': { client_credentials: 2, registration: 2 },
  'workers-oauth-provider': { discovery: 1.5, registration: 1.5, code: 1.5, refresh: 1.5 },
  hello: { client_credentials: 0.5, discovery: 0.9, jwks: 0.9 },
};

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n === undefined ? '' : `${n < 10 ? n.toFixed(1) : Math.round(n)}`);
const ratio = (a, b) => (a && b ? a.rps / b.rps : undefined);
const x = (r) => (r === undefined ? 'n/a' : `${r.toFixed(2)}x`);
const perRequest = (r) => (r.rps > 0 ? (1000 / r.rps).toFixed(2) : 'n/a');

/** edge-dcr against each peer and the ceiling; `suffix` picks the Workers' serving mode. */
function ratioTable(p, { servers, missing }, suffix) {
  const edge = servers[`edge-dcr${suffix}`] ?? {};
  const others = [
    ['node-oidc-provider', servers['node-oidc-provider'], TARGETS['node-oidc-provider']],
    [`workers-oauth-provider${suffix}`, servers[`workers-oauth-provider${suffix}`], TARGETS['workers-oauth-provider']],
    [`hello-world${suffix} ceiling`, servers[`hello${suffix}`] && { ceiling: servers[`hello${suffix}`].hello }, TARGETS.hello],
  ];
  p(`| operation | ${others.map(([name]) => `vs ${name}`).join(' | ')} |`, `|---|${others.map(() => '---:').join('|')}|`);
  for (const [op, label] of OPERATIONS) {
    const cells = others.map(([, other, targets]) => {
      const theirs = other && (other.ceiling ?? other[op]);
      if (!theirs) return 'n/a';
      if (!edge[op]) return `edge-dcr not measured${missing?.[`edge-dcr${suffix}`]?.[op] ? ' (see below)' : ''}`;
      const r = ratio(edge[op], theirs);
      const target = targets[op];
      return target ? `${x(r)} (target ${target}x: ${r >= target ? 'met' : '**missed**'})` : x(r);
    });
    p(`| ${label} | ${cells.join(' | ')} |`);
  }
}

export function writeReport(results, dir) {
  writeFileSync(join(dir, 'chart.svg'), chartSvg(results));
  writeFileSync(join(dir, 'latest.md'), markdown(results));
}

function markdown(results) {
  const { settings: s, machine: m, servers } = results;
  const lines = [];
  const p = (...l) => lines.push(...l);

  p(
    '# edge-dcr benchmark',
    '',
    `Run of \`npm run bench\` on commit ${results.commit ?? 'unknown'}, ${results.started} to ${results.finished}. Each operation: ${s.warmup} s warm-up, then ${s.runs} runs of ${s.seconds} s; ` +
      `figures are the median over the runs. Load: autocannon, ${s.connections} connections, in its own process pinned to one core; ` +
      'the server pinned to the other. Only 2xx answers count as throughput. Servers run one at a time.',
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
    '![requests per second by operation](chart.svg)',
    '',
    '## Ratios (edge-dcr throughput / other)',
    '',
    'Above 1 edge-dcr serves more requests per second than the other server; targets from issue 6.',
    '',
  );
  ratioTable(p, results, '');
  if (servers['edge-dcr@entry']) {
    p('', "Through Miniflare's entry Worker (`@entry`):", '');
    ratioTable(p, results, '@entry');
  }

  p(
    '',
    '## Throughput and latency',
    '',
    '"ms/req" is 1000 / req/s: the time of the server\'s one core per request (an upper bound on the CPU a request costs when it also waits, e.g. for a Durable Object to be created).',
    '',
    '| operation | server | req/s | p50 ms | p99 ms | ms/req | failed requests |',
    '|---|---|---:|---:|---:|---:|---:|',
  );
  const names = ['edge-dcr', ...PEERS, 'hello', 'edge-dcr@entry', 'workers-oauth-provider@entry', 'hello@entry'];
  for (const [op, label] of [...OPERATIONS, ['hello', 'hello-world (ceiling)']]) {
    for (const name of names) {
      const r = servers[name]?.[op];
      if (r) p(`| ${label} | ${name} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${perRequest(r)} | ${r.failed} |`);
    }
  }

  if (servers.bounds) {
    p(
      '',
      '## What one request costs, piece by piece (probe Worker, direct socket)',
      '',
      'Each probe does one thing a token or registration request does, alone, in the same runtime and under the same load.',
      '',
      '| probe | req/s | p50 ms | p99 ms | ms/req | what it does |',
      '|---|---:|---:|---:|---:|---|',
    );
    for (const [probe, what] of Object.entries(PROBES)) {
      const r = servers.bounds[probe];
      if (r) p(`| ${probe} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${perRequest(r)} | ${what} |`);
    }
  }

  if (results.scaling) {
    const sizes = Object.keys(results.scaling);
    const first = results.scaling[sizes[0]];
    p(
      '',
      '## Cost as instances grow (edge-dcr)',
      '',
      `The template holds N instances (rows inserted straight into D1; each window starts from exactly N). ${s.warmup} s warm-up, ${s.runs} runs of ${s.scaleSeconds} s each, median.`,
      '',
      '| instances | client_credentials req/s | p50 ms | p99 ms | registration req/s | p50 ms | p99 ms | p50 change vs first (token / registration) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const size of sizes) {
      const { client_credentials: t, registration: r } = results.scaling[size];
      const change = (now, was) => `${now.p50 >= was.p50 ? '+' : ''}${Math.round(((now.p50 - was.p50) / was.p50) * 100)}%`;
      p(
        `| ${int(Number(size))} | ${int(t.rps)} | ${ms(t.p50)} | ${ms(t.p99)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ` +
          `${change(t, first.client_credentials)} / ${change(r, first.registration)} |`,
      );
    }
    const last = results.scaling[sizes.at(-1)];
    const growth = (op) => (last[op].p50 - first[op].p50) / first[op].p50;
    const verdict = (op) =>
      `${label(op)} ${growth(op) >= 0 ? '+' : ''}${Math.round(growth(op) * 100)}% (${Math.abs(growth(op)) <= 0.2 ? 'met' : '**missed**'})`;
    const label = (op) => (op === 'registration' ? 'registration' : 'token');
    p(
      '',
      `Target "flat within 20%" on p50 from ${int(Number(sizes[0]))} to ${int(Number(sizes.at(-1)))} instances: ${verdict('client_credentials')}, ${verdict('registration')}.`,
    );
  }

  p(
    '',
    '## What each server does per operation',
    '',
    '- **edge-dcr**: the `wrangler deploy` bundle under Miniflare (workerd), D1 and the Ledger Durable Object (SQLite) as Miniflare simulates them, ' +
      'on the same core as the Worker. client_credentials: static client `server` (client_secret_basic, scope `api`), ES256 JWT access token. ' +
      'Registration: POST with a one-time IAT (obtained beforehand with client_credentials scope `dcr`), `{"software_id": "template-client"}`; consumes ' +
      'the IAT in the ledger and inserts the instance in D1. Code exchange: an instance of `template-client` (client_secret_basic, PKCE S256), codes ' +
      'from the real login page (one login, then the session cookie); ES256 access token, RS256 ID token, refresh token. Refresh: rotation with reuse detection.',
    '- **node-oidc-provider**: on Node, in-memory adapter (not durable), configured in `bench/peers/oidc-provider/server.mjs`: the same signing keys, ' +
      'ES256 JWT access tokens (resource indicators), registration behind a single-use initial access token (minted beforehand through its model), ' +
      'PKCE required, refresh token rotation, RS256 ID token on code exchange.',
    '- **workers-oauth-provider**: bundled with esbuild, under the same Miniflare with the KV simulator. Registration is open (the library has no initial ' +
      'access token), tokens are opaque, no ID token, no client_credentials grant and no JWKS. Codes come from an authorization endpoint that approves at once.',
    '- **hello-world**: a Worker answering `Hello World!` under the same Miniflare: the most a Worker can serve here.',
    '- One-time inputs (IATs, codes) are prepared before each window and each request spends one; in refresh, each request presents ' +
      'a token an earlier answer returned (rotation).',
  );
  const missing = OPERATIONS.filter(([op]) => !servers['edge-dcr']?.[op]);
  if (missing.length) {
    p('', '## Not measured for edge-dcr', '');
    for (const [op, label] of missing) p(`- ${label}: ${results.missing?.['edge-dcr']?.[op] ?? 'not run'}`);
  }
  return `${lines.join('\n')}\n`;
}

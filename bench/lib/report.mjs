import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSvg } from './chart.mjs';

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

export function writeReport(results, dir) {
  writeFileSync(join(dir, 'chart.svg'), chartSvg(results));
  writeFileSync(join(dir, 'latest.md'), markdown(results));
}

function markdown(results) {
  const { settings: s, machine: m, servers } = results;
  const edge = servers['edge-dcr'] ?? {};
  const ceiling = servers.hello?.hello;
  const lines = [];
  const p = (...l) => lines.push(...l);

  p(
    '# edge-dcr benchmark',
    '',
    `Run of \`npm run bench\`, ${results.started} to ${results.finished}. Each operation: ${s.warmup} s warm-up, then ${s.runs} runs of ${s.seconds} s; ` +
      `figures are the median over the runs. Load: autocannon, ${s.connections} connections, in its own process pinned to one core; ` +
      'the server pinned to the other. Only 2xx answers count as throughput. Servers run one at a time.',
    '',
    `Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}; load average at start ${m.loadAverage}. ` +
      `Node ${m.node}, ${m.workerd}, miniflare ${m.versions.miniflare}, wrangler ${m.versions.wrangler}, ` +
      `oidc-provider ${m.versions['oidc-provider']}, @cloudflare/workers-oauth-provider ${m.versions['@cloudflare/workers-oauth-provider']}, autocannon ${m.versions.autocannon}.`,
    '',
    '![requests per second by operation](chart.svg)',
    '',
    '## Throughput and latency',
    '',
    '| operation | server | req/s | p50 ms | p99 ms | failed requests |',
    '|---|---|---:|---:|---:|---:|',
  );
  for (const [op, label] of [...OPERATIONS, ['hello', 'hello-world (ceiling)']]) {
    for (const name of ['edge-dcr', ...PEERS, 'hello']) {
      const r = servers[name]?.[op];
      if (r) p(`| ${label} | ${name} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.failed} |`);
    }
    if (op !== 'hello' && !edge[op]) p(`| ${label} | edge-dcr | missing | | | |`);
  }

  p('', '## Ratios (edge-dcr throughput / other)', '', '| operation | vs node-oidc-provider | vs workers-oauth-provider | vs hello-world ceiling |', '|---|---:|---:|---:|');
  for (const [op, label] of OPERATIONS) {
    const cell = (other, target) => {
      const r = ratio(edge[op], other);
      if (r === undefined) return other ? 'edge-dcr missing' : 'n/a';
      return target ? `${x(r)} (target ${target}x: ${r >= target ? 'met' : '**missed**'})` : x(r);
    };
    p(
      `| ${label} | ${cell(servers['node-oidc-provider']?.[op], TARGETS['node-oidc-provider'][op])} | ` +
        `${cell(servers['workers-oauth-provider']?.[op], TARGETS['workers-oauth-provider'][op])} | ${cell(ceiling, TARGETS.hello[op])} |`,
    );
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
  }

  p(
    '',
    '## What each server does per operation',
    '',
    '- **edge-dcr**: the `wrangler deploy` bundle under Miniflare (workerd), D1 and the Ledger Durable Object (SQLite) as Miniflare simulates them. ' +
      'client_credentials: static client `server` (client_secret_basic, scope `api`), ES256 JWT access token. Registration: POST with a one-time IAT ' +
      '(obtained beforehand with client_credentials scope `dcr`), `{"software_id": "template-client"}`; consumes the IAT in the ledger and inserts the instance in D1.',
    '- **node-oidc-provider**: on Node, in-memory adapter (not durable), configured in `bench/peers/oidc-provider/server.mjs`: the same signing keys, ' +
      'ES256 JWT access tokens (resource indicators), registration behind a single-use initial access token (minted beforehand through its model), ' +
      'PKCE required, refresh token rotation, RS256 ID token on code exchange.',
    '- **workers-oauth-provider**: bundled with esbuild, under the same Miniflare with the KV simulator. Registration is open (the library has no initial ' +
      'access token), tokens are opaque, no ID token, no client_credentials grant and no JWKS. Codes come from an authorization endpoint that approves at once.',
    '- **hello-world**: a Worker answering `Hello World!` under the same Miniflare: the most a Worker can serve here.',
    '- One-time inputs (IATs, codes) are prepared before each window and each request spends one; refresh chains one token per connection, ' +
      'each request presenting the token the previous answer returned.',
  );
  const missing = OPERATIONS.filter(([op]) => !edge[op]);
  if (missing.length) {
    p('', '## Not measured for edge-dcr', '');
    for (const [op, label] of missing) p(`- ${label}: ${results.missing?.['edge-dcr']?.[op] ?? 'not run'}`);
  }
  return lines.join('\n') + '\n';
}

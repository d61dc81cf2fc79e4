import { CACHED, displayName, edgeServers, OPERATIONS, PEERS } from './names.mjs';

const PEER_COLORS = { 'edge-dcr': '#f38020', [CACHED]: '#a64f00', 'node-oidc-provider': '#4a6fa5', 'workers-oauth-provider': '#8a8f98' };
const BASE_COLOR = '#f7b977';
const WIDTH = 960;
const LABEL = 190;
const CPU_BAR = 240;
const RPS_X = 520;
const RPS_BAR = 220;
const BAR = 20;
const GAP = 6;

const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));

/**
 * One panel per operation, one row per server: the server's CPU ms per request on the left (the steadier figure
 * on a shared machine), requests per second (with p50 / p99) on the right. Each panel and column has its
 * own scale, so that the servers of one operation compare at a glance.
 */
export function chartSvg(results) {
  const { servers, settings } = results;
  const ceiling = servers.hello?.hello;
  const parts = [];
  let y = 0;
  const text = (tx, ty, content, attrs = '') => parts.push(`<text x="${tx}" y="${ty}" ${attrs}>${escapeXml(content)}</text>`);
  const bar = (x, w, color) =>
    parts.push(`<rect x="${x}" y="${y}" width="${Math.max(2, w).toFixed(1)}" height="${BAR}" rx="3" fill="${color}"/>`);

  text(0, y + 20, 'Server CPU per request and requests per second (medians over interleaved rounds)', 'font-size="17" font-weight="bold"');
  y += 34;
  text(
    0,
    y + 8,
    `${settings.connections} connections; ${settings.runs} rounds of ${settings.seconds} s after ${settings.warmup} s warm-up, the servers taking turns in rotated order.` +
      (ceiling ? ` Hello-world Worker ceiling: ${int(ceiling.rps)} req/s, ${ceiling.cpuMsPerRequest?.toFixed(2) ?? '?'} CPU ms/req.` : ''),
    'font-size="12" fill="#555"',
  );
  y += 24;
  text(LABEL, y + 8, 'server CPU ms per request, lower is better', 'font-size="12" font-weight="bold" fill="#333"');
  text(RPS_X, y + 8, 'req/s, higher is better (p50 / p99 ms)', 'font-size="12" font-weight="bold" fill="#333"');
  y += 8;

  const names = [...edgeServers(results), ...PEERS];
  const colorOf = (name) => PEER_COLORS[name] ?? BASE_COLOR;
  for (const [op, label] of OPERATIONS) {
    const rows = names.map((name) => [name, servers[name]?.[op]]).filter(([name, r]) => r || (name === 'edge-dcr' && servers['edge-dcr']));
    if (!rows.some(([, r]) => r)) continue;
    y += 14;
    text(0, y + 14, label, 'font-size="14" font-weight="bold"');
    y += 22;
    const maxRps = Math.max(...rows.map(([, r]) => r?.rps ?? 0));
    const maxCpu = Math.max(...rows.map(([, r]) => r?.cpuMsPerRequest ?? 0));
    for (const [name, r] of rows) {
      text(LABEL - 8, y + BAR - 6, displayName(name, results), 'font-size="13" text-anchor="end"');
      if (r) {
        if (r.cpuMsPerRequest !== undefined) {
          const c = maxCpu > 0 ? (r.cpuMsPerRequest / maxCpu) * CPU_BAR : 0;
          bar(LABEL, c, colorOf(name));
          text(LABEL + Math.max(2, c) + 6, y + BAR - 6, `${r.cpuMsPerRequest.toFixed(2)} ms`, 'font-size="12" font-weight="bold"');
        }
        const w = maxRps > 0 ? (r.rps / maxRps) * RPS_BAR : 0;
        bar(RPS_X, w, colorOf(name));
        text(RPS_X + Math.max(2, w) + 6, y + BAR - 6, `${int(r.rps)}  (${ms(r.p50)} / ${ms(r.p99)})`, 'font-size="12"');
      } else {
        text(LABEL, y + BAR - 6, 'not measured (see report)', 'font-size="12" fill="#999" font-style="italic"');
      }
      y += BAR + GAP;
    }
  }
  y += 10;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="Helvetica, Arial, sans-serif">\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n` +
    parts.join('\n') +
    '\n</svg>\n'
  );
}

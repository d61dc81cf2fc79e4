import { OPERATIONS, PEERS } from './report.mjs';

const COLORS = { 'edge-dcr': '#f38020', 'node-oidc-provider': '#4a6fa5', 'workers-oauth-provider': '#8a8f98' };
const WIDTH = 940;
const LABEL = 190;
const BAR_AREA = 520;
const BAR = 22;
const GAP = 6;

const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));

/**
 * One panel per operation, one bar per server, each panel on its own scale so that the servers of
 * one operation compare at a glance; the title says where edge-dcr stands against the runtime's ceiling.
 */
export function chartSvg({ servers, settings }) {
  const ceiling = servers.hello?.hello;
  const parts = [];
  let y = 0;
  const text = (tx, ty, content, attrs = '') => parts.push(`<text x="${tx}" y="${ty}" ${attrs}>${escapeXml(content)}</text>`);

  text(0, y + 20, 'Requests per second (median of runs), higher is better', 'font-size="17" font-weight="bold"');
  y += 34;
  text(
    0,
    y + 8,
    `${settings.connections} connections, ${settings.runs} x ${settings.seconds} s after ${settings.warmup} s warm-up; labels: req/s, p50 / p99 latency, edge-dcr's throughput as a multiple of the peer's.` +
      (ceiling ? ` Hello-world Worker ceiling: ${int(ceiling.rps)} req/s.` : ''),
    'font-size="12" fill="#555"',
  );
  y += 22;

  for (const [op, label] of OPERATIONS) {
    const rows = ['edge-dcr', ...PEERS]
      .map((name) => [name, servers[name]?.[op]])
      .filter(([name, r]) => r || (name === 'edge-dcr' && servers['edge-dcr']));
    if (!rows.some(([, r]) => r)) continue;
    const edge = servers['edge-dcr']?.[op];
    const ofCeiling = edge && ceiling ? ` (edge-dcr at ${Math.round((edge.rps / ceiling.rps) * 100)}% of the ceiling)` : '';
    y += 14;
    text(0, y + 14, `${label}${ofCeiling}`, 'font-size="14" font-weight="bold"');
    y += 22;
    const max = Math.max(...rows.map(([, r]) => r?.rps ?? 0));
    for (const [name, r] of rows) {
      text(LABEL - 8, y + BAR - 6, name, 'font-size="13" text-anchor="end"');
      if (r) {
        const w = Math.max(2, (r.rps / max) * BAR_AREA);
        parts.push(`<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" rx="3" fill="${COLORS[name]}"/>`);
        const versus = name !== 'edge-dcr' && edge ? `   edge-dcr ${(edge.rps / r.rps).toFixed(2)}x` : '';
        text(LABEL + w + 8, y + BAR - 6, `${int(r.rps)} req/s   ${ms(r.p50)} / ${ms(r.p99)} ms${versus}`, 'font-size="12"');
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

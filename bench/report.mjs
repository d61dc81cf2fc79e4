// `node bench/report.mjs <raw.json> [dir]`: writes latest.md, chart.svg and the latency model again from the raw
// figures of an earlier run (bench/results/raw/*.json), into `dir` (default bench/results/), without measuring.
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeLatencyModel } from './lib/latency.mjs';
import { writeReport } from './lib/report.mjs';

const [raw, dir = fileURLToPath(new URL('./results/', import.meta.url))] = process.argv.slice(2);
if (!raw) {
  console.error('usage: node bench/report.mjs <raw.json> [dir]');
  process.exit(2);
}
const results = JSON.parse(readFileSync(raw, 'utf8'));
results.latencyModel = writeLatencyModel(resolve(dir));
writeReport(results, resolve(dir));
console.log(`wrote ${resolve(dir, 'latest.md')} from ${raw}`);

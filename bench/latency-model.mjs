// `npm run bench:latency`: the worldwide latency model, from docs/storage-waves.json and
// bench/latency-assumptions.json alone (no server). Writes bench/results/latency-model.md and .svg;
// `npm run bench` writes them too, next to its report.
import { fileURLToPath } from 'node:url';
import { writeLatencyModel } from './lib/latency.mjs';

const dir = fileURLToPath(new URL('./results/', import.meta.url));
writeLatencyModel(dir);
console.log(`wrote ${dir}latency-model.md and latency-model.svg`);

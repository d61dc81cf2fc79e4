import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const version = (pkg) => require(`${pkg}/package.json`).version;

/** What the figures were measured on, for the report. */
export function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(safeRead('/proc/cpuinfo'))?.[1] ?? 'unknown';
  return {
    cores: availableParallelism(),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    loadAverage: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    node: process.version,
    workerd: execFileSync(require.resolve('workerd/bin/workerd'), ['--version'], { encoding: 'utf8' }).trim(),
    versions: Object.fromEntries(
      ['miniflare', 'wrangler', 'oidc-provider', '@cloudflare/workers-oauth-provider', 'autocannon'].map((pkg) => [pkg, version(pkg)]),
    ),
  };
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

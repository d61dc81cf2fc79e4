import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

/** edge-dcr's bundle of the checkout at `root`, exactly as `wrangler deploy` would upload it. */
export function buildEdgeDcr(outDir, root = '.') {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outDir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  return join(outDir, 'index.js');
}

/** A peer Worker and its npm dependencies in one ES module, as wrangler would bundle it. */
export async function bundleWorker(entry, outFile) {
  await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    minify: true,
    logLevel: 'warning',
  });
  return outFile;
}

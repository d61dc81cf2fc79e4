import { spawnSync } from 'node:child_process';

/**
 * Pins this process (all its threads, and every child it starts later) to one CPU core, so the server
 * and the load generator never compete for the same core. No-op where `taskset` is missing or there
 * is a single core.
 */
export function pinToCore(core) {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
  return result.status === 0;
}

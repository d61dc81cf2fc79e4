import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Pins this process (all its threads, and every child it starts later) to one CPU core, so the server
 * and the load generator never compete for the same core. No-op where `taskset` is missing or there
 * is a single core. With BENCH_NICE set (e.g. -10; below 0 needs root or CAP_SYS_NICE), also gives all
 * its threads, and so every child it starts later, that scheduling priority.
 */
export function pinToCore(core) {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
  if (process.env.BENCH_NICE) prioritize(Number(process.env.BENCH_NICE));
  return result.status === 0;
}

/** Linux keeps a nice value per thread: set it on every thread of this process. */
function prioritize(nice) {
  if (!Number.isInteger(nice)) throw new Error(`BENCH_NICE must be an integer, not ${process.env.BENCH_NICE}`);
  for (const thread of readdirSync('/proc/self/task')) {
    try {
      setPriority(Number(thread), nice);
    } catch (error) {
      console.warn(`bench: cannot set priority ${nice} (${error.code}); running at the default`);
      return;
    }
  }
}

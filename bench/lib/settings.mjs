import { availableParallelism } from 'node:os';

/** The measuring settings of bench/run.mjs and bench/profile.mjs, from the environment (bench/README.md, "Settings"). */
export function benchSettings(env = process.env) {
  return {
    seconds: Number(env.BENCH_SECONDS ?? 6),
    warmup: Number(env.BENCH_WARMUP ?? 2),
    runs: Number(env.BENCH_RUNS ?? 5),
    connections: Number(env.BENCH_CONNECTIONS ?? 32),
    scaleSeconds: Number(env.BENCH_SCALE_SECONDS ?? 5),
    scaleSizes: (env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number),
    /** Rate assumed when sizing the warm-up's pool of one-time inputs (the window ends early if it runs dry). */
    warmupRate: 1000,
    /** Opt-in: a window in which other processes took more than this share of the server's core runs again. */
    maxOthers: env.BENCH_MAX_OTHERS ? Number(env.BENCH_MAX_OTHERS) : undefined,
    quietRetries: 2,
    /** Opt-in scheduling priority of the servers and the load generator (applied in lib/affinity.mjs). */
    nice: env.BENCH_NICE,
  };
}

/** The servers on one core, the load generator on the other (the same one where there is only one). */
export const cores = { server: 0, load: availableParallelism() >= 2 ? 1 : 0 };

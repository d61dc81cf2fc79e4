/** The configuration a bench process was started with: in the environment, out of `ps`, since it holds secrets. */
export const childConfig = () => JSON.parse(process.env.BENCH_CHILD_CONFIG);

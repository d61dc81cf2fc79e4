import { fork } from 'node:child_process';

/** Every child this run started, so that an interrupted run still stops them all. */
const live = new Set();

/**
 * Forks a bench process with `config` and waits for its first message (`ready`). The child talks over IPC:
 * `call(message)` sends one request and resolves with the next answer. Children exit when this
 * process disconnects, and `stop()` ends one for good (SIGKILL after a grace period).
 */
export async function startChild(script, config, { startupMs = 120_000 } = {}) {
  const child = fork(script, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(config) },
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), startupMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} while starting`));
    });
  });
  let queue = Promise.resolve();
  const call = (message) =>
    (queue = queue.then(
      () =>
        new Promise((resolve, reject) => {
          const onExit = (code) => reject(new Error(`${script} exited with ${code}`));
          child.once('exit', onExit);
          child.once('message', (answer) => {
            child.off('exit', onExit);
            if (answer.ok === false) reject(new Error(answer.error));
            else resolve(answer);
          });
          child.send(message);
        }),
    ));
  const stop = () => stopChild(child);
  return { ...first, call, stop, pid: child.pid };
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}

export async function stopAll() {
  await Promise.all([...live].map(stopChild));
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

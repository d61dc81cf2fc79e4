import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/children.mjs';

const SERVER = fileURLToPath(new URL('../servers/miniflare.mjs', import.meta.url));

/**
 * Starts one Worker under Miniflare in a child process pinned to `core`; `d1` runs setup SQL in its
 * database. `direct` serves it on a socket straight into the Worker instead of through Miniflare's entry Worker;
 * `inspectorPort` opens workerd's V8 inspector there (bench/profile.mjs).
 */
export async function startWorker(worker, core, direct = false, { inspectorPort } = {}) {
  const child = await startChild(SERVER, { core, worker, direct, inspectorPort });
  return {
    url: child.url,
    pid: child.pid, // the Node process hosting Miniflare; workerd is its child
    stop: child.stop,
    d1: (binding, batches) => child.call({ type: 'd1', binding, batches }),
  };
}

import { fileURLToPath } from 'node:url';
import { startWorker } from './miniflare.mjs';

/** The hello-world Worker: the runtime's ceiling under the same Miniflare. */
export async function startHello({ core, compatibilityDate, direct }) {
  const scriptPath = fileURLToPath(new URL('../peers/hello/worker.js', import.meta.url));
  const worker = await startWorker({ name: 'hello', scriptPath, compatibilityDate }, core, direct);
  return { ...worker, ops: { hello: { kind: 'fixed', method: 'GET', path: '/' } } };
}

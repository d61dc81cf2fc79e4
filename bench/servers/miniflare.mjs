// A Worker under Miniflare (workerd), in its own process pinned to the server core.
// Started by bench/targets/miniflare.mjs with the Worker's options; reports its URL over IPC
// and serves D1 setup requests (rows inserted straight into the database, outside the measured window).
import { Miniflare, NoOpLog, convertV4MiniflareOptions } from 'miniflare';
import { dirname } from 'node:path';
import { pinToCore } from '../lib/affinity.mjs';
import { childConfig } from '../lib/child-config.mjs';

const { core, worker, direct, inspectorPort } = childConfig();
pinToCore(core);

// Miniflare 5 takes a new options shape; its converter accepts the documented (v4) one.
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: 0,
    ...(inspectorPort ? { inspectorPort } : {}),
    log: new NoOpLog(),
    logRequests: false,
    handleStructuredLogs: () => {}, // the Workers' own console output (peers log every error answer)
    workers: [
      {
        modules: true,
        modulesRoot: dirname(worker.scriptPath),
        // `direct`: a socket of the same workerd straight into the Worker, bypassing Miniflare's entry
        // Worker (which proxies every request): what a raw `workerd serve` of this config would do.
        ...(direct ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {}),
        ...worker,
      },
    ],
  }),
);
const url = direct ? await mf.unsafeGetDirectURL(worker.name) : await mf.ready;

process.on('message', async (message) => {
  try {
    if (message.type === 'd1') {
      const db = await mf.getD1Database(message.binding);
      let results = [];
      for (const batch of message.batches) results = await db.batch(batch.map(([sql, ...args]) => db.prepare(sql).bind(...args)));
      // The rows of the last batch's statements.
      process.send({ id: message.id, ok: true, results: results.map((result) => result.results) });
    } else if (message.type === 'stop') {
      await mf.dispose();
      process.exit(0);
    }
  } catch (error) {
    process.send({ id: message.id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', async () => {
  await mf.dispose().catch(() => {});
  process.exit(0);
});
process.send({ type: 'ready', url: url.origin, pid: process.pid });

// Probes for what bounds edge-dcr's requests under Miniflare: each route does one of the things a token
// or registration request does, alone. Same runtime, bindings and load as the servers.
import { DurableObject } from 'cloudflare:workers';

/**
 * `consume` is the ledger's step (src/ledger/ledger.ts): one SQLite insert in a fresh object per token.
 * `consumeIn` is the same insert keyed by token, in one of a few long-lived objects (a sharded ledger).
 */
export class Probe extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS consumption (id TEXT PRIMARY KEY, consumed_at INTEGER NOT NULL)');
  }
  consume(id, now) {
    return (
      this.ctx.storage.sql.exec('INSERT INTO consumption (id, consumed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', id, now)
        .rowsWritten === 1
    );
  }
}

/** An object that never touches its storage: what creating and calling an object costs by itself. */
export class Empty extends DurableObject {
  ping() {
    return true;
  }
}

const SHARDS = 64;

let keys;
async function signingKeys() {
  keys ??= Promise.all([
    crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']),
    crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      false,
      ['sign'],
    ),
  ]);
  return keys;
}
const data = new TextEncoder().encode('x'.repeat(300)); // about a JWT's signing input

const PROBES = {
  '/noop': async () => 'ok',
  '/d1-read': async (env) => JSON.stringify(await env.DB.prepare('SELECT * FROM clients WHERE client_id = ?').bind('server').first()),
  '/d1-write': async (env) => {
    await env.DB.prepare('INSERT INTO clients (client_id, secret) VALUES (?, ?)').bind(crypto.randomUUID(), 'x').run();
    return 'ok';
  },
  '/do-new': async (env) => String(await env.PROBE.get(env.PROBE.idFromName(crypto.randomUUID())).consume('1', Date.now())),
  '/do-new-empty': async (env) => String(await env.EMPTY.get(env.EMPTY.idFromName(crypto.randomUUID())).ping()),
  '/do-shard': async (env) => {
    const shard = env.PROBE.idFromName(`shard-${Math.floor(Math.random() * SHARDS)}`);
    return String(await env.PROBE.get(shard).consume(crypto.randomUUID(), Date.now()));
  },
  '/es256': async () => {
    const [ec] = await signingKeys();
    return String((await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ec.privateKey, data)).byteLength);
  },
  '/rs256': async () => {
    const [, rsa] = await signingKeys();
    return String((await crypto.subtle.sign('RSASSA-PKCS1-v1_5', rsa.privateKey, data)).byteLength);
  },
};

let ready; // the probe table, created by the first request

export default {
  async fetch(request, env) {
    const probe = PROBES[new URL(request.url).pathname];
    if (!probe) return new Response('not found', { status: 404 });
    ready ??= env.DB.batch([
      env.DB.prepare('CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, secret TEXT NOT NULL)'),
      env.DB.prepare("INSERT INTO clients VALUES ('server', 'x') ON CONFLICT DO NOTHING"),
    ]);
    await ready;
    return new Response(await probe(env));
  },
};

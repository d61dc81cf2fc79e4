import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_readConfig, unstable_splitSqlQuery } from 'wrangler';
// @ts-expect-error plain ESM script shared with `npm start`
import { generateSigningKeys } from '../../scripts/signing-keys.mjs';
// @ts-expect-error plain ESM script shared with `npm start`
import { demoData } from '../../scripts/demo-data.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER_CONFIG = join(ROOT, 'wrangler.toml');
const quietWrangler = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const OPEN_TEMPLATE = 'mcp-agents';

/** What the tests know about the running server: where it is and the secrets it was seeded with. */
export interface E2eContext {
  issuer: string;
  /** The template DCR_OPEN_TEMPLATE names (the tests that use open registration create it). */
  openTemplate: string;
  adminToken: string;
  /** Secret of the static client `server`, the registrar of docs/flow.md step 2. */
  serverSecret: string;
  /** A user of the username/password authenticator. */
  user: { username: string; password: string };
}

export interface E2eServer {
  context: E2eContext;
  stop(): Promise<void>;
}

/**
 * The Worker as `wrangler deploy` would upload it, served by Miniflare on a free 127.0.0.1 port with
 * wrangler.toml's bindings (D1, the Ledger Durable Object, vars), fresh secrets and schema.sql applied,
 * then seeded through the admin API with docs/flow.md step 1.
 */
export async function startE2eServer(): Promise<E2eServer> {
  const buildDir = await mkdtemp(join(tmpdir(), 'edge-dcr-e2e-'));
  let mf: Miniflare | undefined;
  const stop = async () => {
    await mf?.dispose();
    await rm(buildDir, { recursive: true, force: true });
  };
  try {
    const scriptPath = await buildWorker(buildDir);
    const secrets = {
      ADMIN_TOKEN: randomBytes(32).toString('base64url'),
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      PAIRWISE_SECRET: randomBytes(32).toString('base64url'),
      SIGNING_KEYS: generateSigningKeys() as string,
    };
    mf = new Miniflare(convertV4MiniflareOptions(workerOptions(scriptPath, secrets)));
    const url = await mf.ready;
    await applySchema(mf);
    const context: E2eContext = {
      issuer: url.origin,
      openTemplate: OPEN_TEMPLATE,
      adminToken: secrets.ADMIN_TOKEN,
      serverSecret: randomBytes(32).toString('base64url'),
      user: { username: 'demo', password: randomBytes(12).toString('base64url') },
    };
    await seed(context);
    return { context, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function buildWorker(outdir: string): Promise<string> {
  const wrangler = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
  await promisify(execFile)(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir, '--config', WRANGLER_CONFIG], {
    cwd: ROOT,
    env: quietWrangler,
  });
  return join(outdir, 'index.js');
}

/**
 * wrangler's own translation of wrangler.toml (Miniflare 4's option shape, converted for Miniflare 5), with the
 * bundle as the script and only our secrets as bindings (no .dev.vars).
 */
function workerOptions(scriptPath: string, secrets: Record<string, string>) {
  // wrangler looks for the secrets wrangler.toml lists as required in process.env too, and warns when they are missing.
  Object.assign(process.env, secrets);
  const config = unstable_readConfig({ config: WRANGLER_CONFIG }, { hideWarnings: true });
  // modulesRules: the bundle is a single module, and Miniflare 5 cannot convert the rules anyway. The bindings
  // wrangler read from .dev.vars (it says so on the console) are replaced below.
  const { modulesRules: _, ...fromConfig } = unstable_getMiniflareWorkerOptions(config).workerOptions;
  return {
    host: '127.0.0.1',
    port: 0,
    // The Worker's request and audit lines, one per request (src/request-log.ts), would drown the test output.
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
      if (/^\{"kind":"(request|audit)"/.test(message)) return;
      if (level === 'error') console.error(message);
      else console.log(message);
    },
    workers: [
      {
        ...fromConfig,
        name: config.name,
        modules: true,
        scriptPath,
        modulesRoot: dirname(scriptPath),
        // Non-templatized registration ships off (wrangler.toml); on here so real clients exercise it too. Open
        // registration too, for the MCP clients.
        bindings: { ...(config.vars as Record<string, string>), DCR_NON_TEMPLATIZED: 'true', DCR_OPEN_TEMPLATE: OPEN_TEMPLATE, ...secrets },
        outboundService: testHosts,
      },
    ],
  };
}

/**
 * The Worker's outbound fetches (client metadata documents). `https://<name>.test:<port>/...` reaches the test's own
 * HTTP server on 127.0.0.1:<port>, which is what DNS and TLS would do for a real host (`.test` is reserved for
 * testing, RFC 2606); the Worker's code is the deployed code, it fetches an https URL on a host a template allows.
 * Anything else is refused: tests never reach the network.
 */
async function testHosts(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.protocol !== 'https:' || !url.hostname.endsWith('.test') || url.port === '') {
    return new Response('the tests reach no network', { status: 502 });
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return fetch(`http://127.0.0.1:${url.port}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    redirect: 'manual',
    ...(hasBody ? { body: await request.arrayBuffer() } : {}),
  });
}

async function applySchema(mf: Miniflare) {
  const db = await mf.getD1Database('DB');
  const statements = unstable_splitSqlQuery(await readFile(join(ROOT, 'schema.sql'), 'utf8'));
  await db.batch(statements.map((statement) => db.prepare(statement)));
}

/** docs/flow.md step 1, the same data `npm start` seeds: the registrar `server`, `template-client` and `demo`. */
async function seed({ issuer, adminToken, serverSecret, user }: E2eContext) {
  for (const { what, path, body } of demoData({ serverSecret, userPassword: user.password })) {
    const res = await fetch(`${issuer}/admin/v1${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`seeding ${what} answered ${res.status}: ${await res.text()}`);
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { buildEdgeDcr } from '../lib/build.mjs';
import { basic, call, codeFrom, form, inParallel, json } from '../lib/prepare.mjs';
import { startWorker } from './miniflare.mjs';

const TEMPLATE = 'template-client';
const REDIRECT_URI = 'https://localhost/callback';
const TOKEN_PATH = '/oauth/v2/oauth-token';
const REGISTRATION_PATH = '/oauth/v2/oauth-dynamic-client-registration';
const AUTHORIZE_PATH = '/oauth/v2/oauth-authorize';

/**
 * wrangler.toml of the checkout at `root` as `wrangler deploy` reads it: vars, compatibility date and flags, and
 * the D1, Durable Object and KV bindings as Miniflare options (storage in memory, per server; no rate limits).
 */
export function deployConfig(root = '.') {
  const config = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  const sqliteClasses = new Set(config.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
  return {
    vars: { ...config.vars },
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    storage: {
      d1Databases: Object.fromEntries(config.d1_databases.map((d) => [d.binding, `${d.database_name}-bench`])),
      durableObjects: Object.fromEntries(
        config.durable_objects.bindings.map((d) => [d.name, { className: d.class_name, useSQLite: sqliteClasses.has(d.class_name) }]),
      ),
      ...(config.kv_namespaces.length && { kvNamespaces: config.kv_namespaces.map((k) => k.binding) }),
      // No rate-limit bindings (which turns the limits off): Miniflare simulates each limit() as a fetch into a
      // SQLite Durable Object on the Worker's own core (~1 ms of it per call here), where Cloudflare's binding counts
      // in memory at the colo; and none of the peers limits anything. What they cost locally: bench/README.md.
    },
  };
}

/** One build per checkout: every server of the same code shares the bundle. */
const builds = new Map();

/**
 * edge-dcr's deploy bundle under Miniflare: D1 with schema.sql applied, the Ledger Durable Object,
 * ADMIN_TOKEN and SIGNING_KEYS, seeded through the admin API as in docs/flow.md step 1. `root` is the checkout
 * to build and configure from (the working tree, or a base commit's worktree); `vars` override wrangler.toml's;
 * `inspectorPort` opens workerd's V8 inspector (bench/profile.mjs).
 */
export async function startEdgeDcr({ core, keys, workDir, direct, root = '.', vars: extraVars = {}, inspectorPort }) {
  const absoluteRoot = resolve(root);
  if (!builds.has(absoluteRoot)) builds.set(absoluteRoot, buildEdgeDcr(join(workDir, `edge-dcr-${builds.size}`), absoluteRoot));
  const scriptPath = builds.get(absoluteRoot);
  const { vars, compatibilityDate, compatibilityFlags, storage } = deployConfig(absoluteRoot);
  const adminToken = randomBytes(32).toString('base64url');
  const worker = await startWorker(
    {
      name: 'edge-dcr',
      scriptPath,
      compatibilityDate,
      compatibilityFlags,
      bindings: {
        ...vars,
        ...extraVars,
        ADMIN_TOKEN: adminToken,
        SIGNING_KEYS: keys,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
      },
      ...storage,
    },
    core,
    direct,
    { inspectorPort },
  );
  const { url } = worker;
  await worker.d1('DB', [schemaStatements(absoluteRoot)]);
  const d1Rows = async (statements) => (await worker.d1('DB', [statements])).results;

  const admin = (path, body) => call(`${url}/admin/v1${path}`, json(body, { Authorization: `Bearer ${adminToken}` }), 201);
  // docs/flow.md step 1: the static client `server` (here also allowed the scope `api`, for plain
  // client_credentials) and the template it may register instances of.
  const server = await admin('/clients', { client_id: 'server', capabilities: ['client_credentials'], scopes: ['api'] });
  await admin('/templates', {
    name: TEMPLATE,
    capabilities: ['code', 'refresh'],
    redirect_uris: [REDIRECT_URI],
    scopes: ['openid'],
    registration: { mode: 'clients', allowed_clients: ['server'] },
  });
  const serverAuth = basic('server', server.client_secret);
  const tokenHeaders = { Authorization: serverAuth, 'Content-Type': 'application/x-www-form-urlencoded' };
  const iats = (n) =>
    inParallel(
      n,
      32,
      async () =>
        (await call(`${url}${TOKEN_PATH}`, form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: serverAuth })))
          .access_token,
    );
  const codeFlow = await codeFlowSetup(url, admin, (await iats(1))[0]);
  const missing = codeFlow.missing ? { code: codeFlow.missing, refresh: codeFlow.missing } : {};

  return {
    ...worker,
    missing,
    /**
     * Sets the number of instances of the template to `count`, straight in D1: copies of a registered
     * instance's row (new ids, secret and token hashes) are added, and the instances registered by
     * earlier measured windows are removed (all but the one the code flow uses).
     */
    async setInstances(count) {
      const [columns, [{ n }]] = await d1Rows([
        ['SELECT name FROM pragma_table_info(?)', 'clients'],
        ["SELECT COUNT(*) AS n FROM clients WHERE created_by_client = 'bench-seed'"],
      ]);
      if (count > n) {
        const source = n > 0 ? "created_by_client = 'bench-seed'" : "created_by_client = 'server'";
        await d1Rows([
          [
            copiesSql(
              columns.map((c) => c.name),
              source,
            ),
            count - n,
          ],
        ]);
      }
      await d1Rows([["DELETE FROM clients WHERE created_by_client = 'server' AND client_id != ?", codeFlow.clientId ?? '']]);
    },
    ops: {
      discovery: { kind: 'fixed', method: 'GET', path: '/.well-known/openid-configuration' },
      jwks: { kind: 'fixed', method: 'GET', path: '/oauth/v2/oauth-anonymous/jwks' },
      client_credentials: {
        kind: 'fixed',
        method: 'POST',
        path: TOKEN_PATH,
        headers: tokenHeaders,
        body: 'grant_type=client_credentials&scope=api',
      },
      registration: {
        kind: 'pool',
        method: 'POST',
        path: REGISTRATION_PATH,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ software_id: TEMPLATE }),
        pool: async (n) => (await iats(n)).map((iat) => ({ headers: { Authorization: `Bearer ${iat}` } })),
      },
      ...(!codeFlow.missing && {
        code: {
          kind: 'pool',
          method: 'POST',
          path: TOKEN_PATH,
          headers: codeFlow.tokenHeaders,
          pool: async (n) =>
            (await codeFlow.codes(n)).map((code) => ({ body: new URLSearchParams({ ...codeFlow.exchange, code }).toString() })),
        },
        refresh: {
          kind: 'chain',
          method: 'POST',
          path: TOKEN_PATH,
          headers: codeFlow.tokenHeaders,
          form: { grant_type: 'refresh_token' },
          pool: async (n) => {
            const codes = await codeFlow.codes(n);
            return inParallel(
              n,
              32,
              async (i) =>
                (
                  await call(`${url}${TOKEN_PATH}`, {
                    method: 'POST',
                    headers: codeFlow.tokenHeaders,
                    body: new URLSearchParams({ ...codeFlow.exchange, code: codes[i] }).toString(),
                  })
                ).refresh_token,
            );
          },
        },
      }),
    },
  };
}

/**
 * The code flow of docs/flow.md step 4: a registered instance, a user who logs in once on the login page
 * (the session cookie then lets each authorization request redirect with a code at once), PKCE S256.
 * `missing` says why when this build cannot run the exchange yet.
 */
async function codeFlowSetup(url, admin, iat) {
  const instance = await call(`${url}${REGISTRATION_PATH}`, json({ software_id: TEMPLATE }, { Authorization: `Bearer ${iat}` }), 201);
  if (!instance.grant_types?.includes('authorization_code')) return null;
  const user = { username: 'bench-user', password: randomBytes(16).toString('base64url') };
  await admin('/users', user);

  const verifier = randomBytes(32).toString('base64url');
  const authorize = `${url}${AUTHORIZE_PATH}?${new URLSearchParams({
    client_id: instance.client_id,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT_URI,
    state: 'bench',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })}`;
  const cookies = new Map();
  const browse = async (target, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return res;
  };
  const page = await (await browse(authorize)).text();
  const hidden = Object.fromEntries(
    [...page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)].map(([, k, v]) => [k, unescapeHtml(v)]),
  );
  const code = codeFrom(await browse(`${url}${AUTHORIZE_PATH}`, form({ ...hidden, ...user })));

  const tokenHeaders = {
    Authorization: basic(instance.client_id, instance.client_secret),
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  const exchange = { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code_verifier: verifier };
  const tried = await fetch(`${url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: tokenHeaders,
    body: new URLSearchParams({ ...exchange, code }),
  });
  if (tried.status !== 200) return { clientId: instance.client_id, missing: `code exchange answers ${tried.status} ${await tried.text()}` };
  return {
    clientId: instance.client_id,
    tokenHeaders,
    exchange,
    codes: (n) => inParallel(n, 32, async () => codeFrom(await browse(authorize))),
  };
}

const unescapeHtml = (text) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** `root`'s schema.sql as D1 statements (comments dropped, split at semicolons). */
function schemaStatements(root) {
  return readFileSync(join(root, 'schema.sql'), 'utf8')
    .replace(/--.*$/gm, '')
    .split(';')
    .map((statement) => statement.trim())
    .filter(Boolean)
    .map((statement) => [statement]);
}

/** Overridden in copies of an instance row: everything unique, and a mark to tell the copies apart. */
const COPY_OVERRIDES = {
  client_id: 'lower(hex(randomblob(24)))',
  secret_hash: 'lower(hex(randomblob(32)))',
  created_by_iat: 'lower(hex(randomblob(16)))',
  registration_token_hash: 'lower(hex(randomblob(32)))',
  created_by_client: "'bench-seed'",
};

/** `?1` copies of one instance row matching `source`, generated inside SQLite. */
function copiesSql(columns, source) {
  const values = columns.map((column) => COPY_OVERRIDES[column] ?? column);
  return `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
    INSERT INTO clients (${columns.join(', ')})
    SELECT ${values.join(', ')} FROM n, (SELECT * FROM clients WHERE kind = 'instance' AND ${source} LIMIT 1)`;
}

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/children.mjs';
import { basic, call, form, inParallel } from '../lib/prepare.mjs';

const SERVER = fileURLToPath(new URL('../peers/oidc-provider/server.mjs', import.meta.url));
const REDIRECT_URI = 'https://localhost/callback';

/** node-oidc-provider on Node, configured by bench/peers/oidc-provider/server.mjs. */
export async function startOidcProvider({ core, keys }) {
  const secrets = { server: randomBytes(32).toString('base64url'), app: randomBytes(32).toString('base64url') };
  const child = await startChild(SERVER, { core, keys, secrets });
  const { url } = child;
  const verifier = randomBytes(32).toString('base64url');
  const mint = (kind, n) => call(`${url}/__bench/${kind}?n=${n}&verifier=${verifier}`, { method: 'POST' });
  const appHeaders = { Authorization: basic('app', secrets.app), 'Content-Type': 'application/x-www-form-urlencoded' };
  const exchange = { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code_verifier: verifier };

  return {
    url,
    pid: child.pid,
    stop: child.stop,
    ops: {
      discovery: { kind: 'fixed', method: 'GET', path: '/.well-known/openid-configuration' },
      jwks: { kind: 'fixed', method: 'GET', path: '/jwks' },
      client_credentials: {
        kind: 'fixed',
        method: 'POST',
        path: '/token',
        headers: { Authorization: basic('server', secrets.server), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=api',
      },
      registration: {
        kind: 'pool',
        method: 'POST',
        path: '/reg',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          client_name: 'bench instance',
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        }),
        pool: async (n) => (await mint('iats', n)).map((iat) => ({ headers: { Authorization: `Bearer ${iat}` } })),
      },
      code: {
        kind: 'pool',
        method: 'POST',
        path: '/token',
        headers: appHeaders,
        pool: async (n) => (await mint('codes', n)).map((code) => ({ body: new URLSearchParams({ ...exchange, code }).toString() })),
      },
      refresh: {
        kind: 'chain',
        method: 'POST',
        path: '/token',
        headers: appHeaders,
        form: { grant_type: 'refresh_token' },
        pool: async (n) => {
          const codes = await mint('codes', n);
          return inParallel(
            n,
            32,
            async (i) =>
              (await call(`${url}/token`, form({ ...exchange, code: codes[i] }, { Authorization: appHeaders.Authorization })))
                .refresh_token,
          );
        },
      },
    },
  };
}

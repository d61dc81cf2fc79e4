import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { bundleWorker } from '../lib/build.mjs';
import { basic, call, codeFrom, form, inParallel, json } from '../lib/prepare.mjs';
import { startWorker } from './miniflare.mjs';

const REDIRECT_URI = 'https://localhost/callback';
const ENTRY = fileURLToPath(new URL('../peers/workers-oauth-provider/worker.js', import.meta.url));

/** @cloudflare/workers-oauth-provider under the same Miniflare, tokens in the KV simulator. */
export async function startWorkersOAuthProvider({ core, compatibilityDate, compatibilityFlags, workDir, direct }) {
  const scriptPath = await bundleWorker(ENTRY, join(workDir, 'workers-oauth-provider.js'));
  const worker = await startWorker(
    { name: 'workers-oauth-provider', scriptPath, compatibilityDate, compatibilityFlags, kvNamespaces: ['OAUTH_KV'] },
    core,
    direct,
  );
  const { url } = worker;

  const registration = {
    client_name: 'bench instance',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
  const client = await call(`${url}/register`, json(registration), 201);
  const auth = basic(client.client_id, client.client_secret);
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('/authorize', url);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: 'bench',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  // The authorization endpoint of peers/workers-oauth-provider approves at once: one GET per code.
  const codes = (n) => inParallel(n, 32, async () => codeFrom(await call(authorize, {}, 302)));
  const exchange = { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, code_verifier: verifier };
  const tokenHeaders = { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' };

  return {
    ...worker,
    ops: {
      discovery: { kind: 'fixed', method: 'GET', path: '/.well-known/oauth-authorization-server' },
      registration: {
        kind: 'fixed',
        method: 'POST',
        path: '/register',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(registration),
        note: 'open registration: the library has no initial access token',
      },
      code: {
        kind: 'pool',
        method: 'POST',
        path: '/oauth/token',
        headers: tokenHeaders,
        pool: async (n) => (await codes(n)).map((code) => ({ body: new URLSearchParams({ ...exchange, code }).toString() })),
      },
      refresh: {
        kind: 'chain',
        method: 'POST',
        path: '/oauth/token',
        headers: tokenHeaders,
        form: { grant_type: 'refresh_token' },
        pool: async (n) =>
          inParallel(n, 32, async () => {
            const code = (await codes(1))[0];
            return (await call(`${url}/oauth/token`, form({ ...exchange, code }, { Authorization: auth }))).refresh_token;
          }),
      },
    },
  };
}

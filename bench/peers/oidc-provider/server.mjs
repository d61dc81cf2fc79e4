// node-oidc-provider configured for the operations edge-dcr has: client_credentials (ES256 JWT access
// tokens), registration behind a one-time initial access token, code flow with PKCE, refresh with rotation.
// In-memory store (map-adapter.mjs): not durable, which flatters it against D1 and Durable Objects.
// Runs in its own process pinned to the server core, started with {core, keys, secrets}.
// `/__bench/*` mints the one-time inputs (IATs, codes) through the provider's own models, before the
// measured window; the load never touches these routes.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import Provider from 'oidc-provider';
import { pinToCore } from '../../lib/affinity.mjs';
import { childConfig } from '../../lib/child-config.mjs';
import { MapAdapter } from './map-adapter.mjs';

const { core, keys, secrets } = childConfig();
pinToCore(core);

const RESOURCE = 'urn:edge-dcr-bench:api';
const REDIRECT_URI = 'https://localhost/callback';
const ACCOUNT = 'bench-user';

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  jwks: { keys: JSON.parse(keys) }, // the same RS256 and ES256 keys edge-dcr signs with
  clients: [
    // The static client of docs/flow.md step 1, used here for client_credentials.
    {
      client_id: 'server',
      client_secret: secrets.server,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api',
    },
    // The client that runs the code flow (edge-dcr uses a registered template instance).
    {
      client_id: 'app',
      client_secret: secrets.app,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid api',
    },
  ],
  scopes: ['openid', 'api'],
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    registration: {
      enabled: true,
      initialAccessToken: true,
      // Its IATs are reusable by default; edge-dcr's are single-use, so spend each one on use.
      policies: { 'one-time': async (ctx) => void (await ctx.oidc.entities.InitialAccessToken.destroy()) },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
  pkce: { required: () => true },
  // Lifetimes as edge-dcr's defaults (docs/flow.md), which also keeps its start-up notices quiet.
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 3600,
    Grant: 3600,
    IdToken: 3600,
    InitialAccessToken: 300,
    RefreshToken: 3600,
  },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
});

const mint = {
  /** Single-use initial access tokens. */
  async iats(n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await new provider.InitialAccessToken({ policies: ['one-time'] }).save());
    return out;
  },
  /** Authorization codes as the authorization endpoint would issue them after login and consent (PKCE S256). */
  async codes(n, { verifier }) {
    const client = await provider.Client.find('app');
    const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
    const out = [];
    for (let i = 0; i < n; i++) {
      const grant = new provider.Grant({ accountId: ACCOUNT, clientId: 'app' });
      grant.addOIDCScope('openid');
      grant.addResourceScope(RESOURCE, 'api');
      const grantId = await grant.save();
      const code = new provider.AuthorizationCode({
        accountId: ACCOUNT,
        client,
        grantId,
        redirectUri: REDIRECT_URI,
        scope: 'openid api',
        resource: RESOURCE,
        codeChallenge,
        codeChallengeMethod: 'S256',
        authTime: Math.floor(Date.now() / 1000),
      });
      out.push(await code.save());
    }
    return out;
  },
};

const oidc = provider.callback();
server.on('request', async (req, res) => {
  if (!req.url.startsWith('/__bench/')) return oidc(req, res);
  const url = new URL(req.url, issuer);
  const kind = url.pathname.slice('/__bench/'.length);
  const items = await mint[kind](Number(url.searchParams.get('n')), Object.fromEntries(url.searchParams));
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(items));
});

process.on('message', (message) => message.type === 'stop' && process.exit(0));
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', url: issuer, pid: process.pid });

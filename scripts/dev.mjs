// `npm start`: local secrets, migrations, `wrangler dev`, demo data seeded through the admin API, and a banner.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { generateSigningKeys } from './signing-keys.mjs';
import { demoData } from './demo-data.mjs';

const PORT = process.env.PORT || '8787';
const ORIGIN = `http://localhost:${PORT}`;
const DEV_VARS = '.dev.vars';
const quiet = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

const secrets = ensureDevVars();
run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local'], 'applying pending migrations to the local D1');

const dev = spawn('npx', ['wrangler', 'dev', '--port', PORT, '--ip', '127.0.0.1'], { stdio: 'inherit', env: quiet });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));

await waitForServer();
await seed(secrets);
printBanner(secrets);

/** Random secrets on first run; keys added by later versions are appended, existing ones never change. */
function ensureDevVars() {
  const current = existsSync(DEV_VARS) ? parseDotenv(readFileSync(DEV_VARS, 'utf8')) : {};
  const wanted = {
    ADMIN_TOKEN: () => randomBytes(32).toString('base64url'),
    DEMO_SERVER_SECRET: () => randomBytes(32).toString('base64url'),
    DEMO_USER_PASSWORD: () => randomBytes(12).toString('base64url'),
    SESSION_SECRET: () => randomBytes(32).toString('base64url'),
    PAIRWISE_SECRET: () => randomBytes(32).toString('base64url'),
    SIGNING_KEYS: generateSigningKeys,
  };
  const missing = Object.keys(wanted).filter((key) => !current[key]);
  if (missing.length) {
    const lines = missing.map((key) => {
      current[key] = wanted[key]();
      return `${key}='${current[key]}'\n`;
    });
    appendFileSync(DEV_VARS, lines.join(''), { mode: 0o600 });
    console.log(`edge-dcr: wrote ${missing.join(', ')} to ${DEV_VARS}`);
  }
  return current;
}

function parseDotenv(text) {
  const vars = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (match) vars[match[1]] = match[2].replace(/^'(.*)'$|^"(.*)"$/, '$1$2');
  }
  return vars;
}

function run(command, args, what) {
  console.log(`edge-dcr: ${what}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: quiet });
  if (result.status !== 0) {
    console.error(`edge-dcr: failed while ${what}`);
    process.exit(1);
  }
}

async function waitForServer() {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      if ((await fetch(`${ORIGIN}/.well-known/openid-configuration`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.error('edge-dcr: the server did not come up');
  dev.kill();
  process.exit(1);
}

/** Idempotent: 201 creates, 409 means it is there already (admin edits are kept). */
async function seed(vars) {
  for (const { what, path, body } of demoData({ serverSecret: vars.DEMO_SERVER_SECRET, userPassword: vars.DEMO_USER_PASSWORD })) {
    const res = await fetch(`${ORIGIN}/admin/v1${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${vars.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201 && res.status !== 409) console.error(`edge-dcr: seeding ${what} answered ${res.status}: ${await res.text()}`);
  }
}

function printBanner(vars) {
  console.log(`
edge-dcr is running at ${ORIGIN}
  admin console: ${ORIGIN}/admin/  (sign in with the admin token below)
  static client: server / ${vars.DEMO_SERVER_SECRET}
  demo user:     demo / ${vars.DEMO_USER_PASSWORD}
  admin token:   ${vars.ADMIN_TOKEN}

Get an initial access token:
  IAT=$(curl -s -X POST ${ORIGIN}/oauth/v2/oauth-token \\
    -H 'Content-Type: application/x-www-form-urlencoded' \\
    -d 'grant_type=client_credentials&client_id=server&client_secret=${vars.DEMO_SERVER_SECRET}&scope=dcr' \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')

Register an instance of template-client:
  curl -s -X POST ${ORIGIN}/oauth/v2/oauth-dynamic-client-registration \\
    -H "Authorization: Bearer $IAT" -H 'Content-Type: application/json' \\
    -d '{"software_id": "template-client"}'
`);
}

// `npm run deploy`: check the environment's configuration and secrets, apply pending migrations to its D1
// database, `wrangler deploy`, and say where the server is and how to make the first template.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Failure, jsonFrom, main, options, say, scratchDir, step, wrangler } from './lib/cli.mjs';
import { configProblems, REQUIRED_SECRETS, readEnvironment } from './lib/config.mjs';
import { shownPath, storePath } from './lib/store.mjs';

const USAGE = `npm run deploy -- [--env production|staging] [--dry-run] [--config wrangler.toml]

  --dry-run  check the configuration, apply the migrations to a temporary local database and build the bundle
             (wrangler deploy --dry-run); print the commands that need the Cloudflare account instead of running them`;

const opts = options(USAGE);

await main(async () => {
  const { env, configPath, dryRun } = opts;
  const cfg = readEnvironment(configPath, env);
  const cli = wrangler(opts);
  say(`edge-dcr deploy: environment ${env}, Worker ${cfg.worker}${dryRun ? ' (dry run: nothing is changed on Cloudflare)' : ''}`);

  step('configuration');
  const problems = configProblems(cfg);
  for (const p of problems) say(`${p.level === 'warning' ? 'warning' : p.level === 'setup' ? 'not set up' : 'error'}: ${p.message}`);
  const errors = problems.filter((p) => p.level === 'error' || (p.level === 'setup' && !dryRun));
  if (errors.length) throw new Failure(`not deploying ${env}: ${errors.length} problem(s) above`);
  if (!problems.length) say('ok');
  else if (problems.some((p) => p.level === 'setup')) say('(a dry run goes on; a real deploy would stop here)');

  step('secrets');
  const path = storePath(opts.projectDir, env);
  const listed = cli.query(['secret', 'list', '--format', 'json']);
  if (listed) {
    const remote = listed.ok ? jsonFrom(listed.stdout).map((s) => s.name) : [];
    const missing = REQUIRED_SECRETS.filter((name) => !remote.includes(name));
    if (missing.length) throw new Failure(`${cfg.worker} lacks the secret(s) ${missing.join(', ')}: npm run setup -- --env ${env}`);
    say(`${REQUIRED_SECRETS.join(', ')}: set`);
    if (!remote.includes('PAIRWISE_SECRET')) {
      say(`warning: PAIRWISE_SECRET is not set: a pairwise client answers server_error until npm run setup -- --env ${env} sets it`);
    }
  }
  if (existsSync(path)) say(`local copy: ${shownPath(path)}`);
  else say(`warning: no ${shownPath(path)} here: key rotation (npm run keys) needs it, restore it from your backup`);

  step('migrations');
  cli.remote(['d1', 'migrations', 'apply', 'DB', '--remote']);
  if (dryRun) {
    cli.local(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', join(scratchDir(), 'state')], { capture: true });
    say('every migration applies to an empty local database');
  }

  step('deploy');
  cli.remote(['deploy']);
  if (dryRun) {
    const outdir = join(scratchDir(), 'dist');
    cli.local(['deploy', '--dry-run', '--outdir', outdir], { capture: true });
    say(
      `the bundle wrangler would upload: ${join(outdir, 'index.js')} (${Math.round(statSync(join(outdir, 'index.js')).size / 1024)} KiB)`,
    );
  }

  const issuer = cfg.vars.ISSUER || 'https://<ISSUER>';
  say(`
${dryRun ? 'Dry run done: deploying would give' : `Deployed ${cfg.worker}.`}
  issuer:     ${issuer}
  discovery:  ${issuer}/.well-known/openid-configuration
  JWKS:       ${issuer}/oauth/v2/oauth-anonymous/jwks

The first template (SPEC step 1): a static client that may register instances, then the template.
  ADMIN_TOKEN=$(node -p "require('./${shownPath(path)}').ADMIN_TOKEN")
  curl -s -X POST ${issuer}/admin/v1/clients -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"client_id": "server", "capabilities": ["client_credentials"]}'
    # answers the client_secret once: keep it
  curl -s -X POST ${issuer}/admin/v1/templates -H "Authorization: Bearer $ADMIN_TOKEN" \\
    -H 'Content-Type: application/json' \\
    -d '{"name": "template-client", "capabilities": ["code", "refresh"], "redirect_uris": ["https://app.example.com/callback"],
         "scopes": ["openid"], "registration": {"mode": "clients", "allowed_clients": ["server"]}}'
  # then users: POST ${issuer}/admin/v1/users (README "Users")`);
});

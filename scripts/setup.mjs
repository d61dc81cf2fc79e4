// `npm run setup`: everything a Cloudflare environment needs before its first deploy, and safe to run again.
// D1 database (created if absent, its id written into wrangler.toml), ISSUER, secrets (generated once, kept in
// .secrets/<env>.json, set with `wrangler secret bulk`), migrations applied to the remote database.
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { Failure, jsonFrom, main, options, say, scratchDir, step, wrangler } from './lib/cli.mjs';
import { checkIssuer, configProblems, editedConfig, REQUIRED_SECRETS, readEnvironment, SETUP_SECRETS } from './lib/config.mjs';
import { newPairwiseSecret, newStore, readStore, secretValues, shownPath, storePath, writeStore } from './lib/store.mjs';

const USAGE = `npm run setup -- [--env production|staging] [--issuer https://auth.example.com] [--location weur|eeur|apac|oc|wnam|enam]
                 [--dry-run] [--show-secrets] [--replace-secrets] [--push-secrets] [--config wrangler.toml]

  --issuer           the https origin the server answers on (asked for when not given and not set yet)
  --location         where D1 creates the database (only when it creates it)
  --dry-run          do all that needs no Cloudflare account; print the wrangler commands it would run
  --show-secrets     print the secrets (never printed otherwise; they are in .secrets/<env>.json)
  --push-secrets     set the secrets from .secrets/<env>.json again, even if Cloudflare has them all
  --replace-secrets  new ADMIN_TOKEN, SESSION_SECRET and SIGNING_KEYS: signs everyone out, every token dies
                     (PAIRWISE_SECRET is kept from the file: it would change every pairwise sub)`;

const opts = options(USAGE, {
  issuer: { type: 'string' },
  location: { type: 'string' },
  'show-secrets': { type: 'boolean', default: false },
  'replace-secrets': { type: 'boolean', default: false },
  'push-secrets': { type: 'boolean', default: false },
});

await main(async () => {
  const { env, configPath, dryRun } = opts;
  const cfg = readEnvironment(configPath, env);
  const cli = wrangler(opts);
  say(
    `edge-dcr setup: environment ${env}, Worker ${cfg.worker}${dryRun ? ' (dry run: nothing is created, set or written outside a temporary folder)' : ''}`,
  );
  const broken = configProblems(cfg).filter((p) => p.level === 'error');
  if (broken.length) throw new Failure(`fix wrangler.toml first:\n${broken.map((p) => `  - ${p.message}`).join('\n')}`);

  step('ISSUER');
  const issuer = await chooseIssuer(cfg);

  step(`D1 database ${cfg.db.database_name}`);
  const databaseId = findOrCreateDatabase(cli, cfg.db.database_name);

  step('wrangler.toml');
  updateConfig(cfg, { issuer, databaseId });

  step('secrets');
  setSecrets(cli, cfg);

  step('migrations');
  cli.remote(['d1', 'migrations', 'apply', 'DB', '--remote']);
  if (dryRun) {
    say('checking that every migration applies, on a temporary local database:');
    cli.local(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', join(scratchDir(), 'state')], { capture: true });
    say('migrations apply cleanly');
  }

  say(`\n${dryRun ? 'Dry run done.' : `Environment ${env} is set up.`} Next: npm run deploy -- --env ${env}${dryRun ? ' --dry-run' : ''}`);
});

async function chooseIssuer(cfg) {
  const given = opts.issuer ?? cfg.vars.ISSUER;
  if (given) {
    const issuer = checkIssuer(given);
    say(`ISSUER = ${issuer}${opts.issuer ? '' : ' (already set)'}`);
    return issuer;
  }
  if (process.stdin.isTTY && !opts.dryRun) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('The https origin this server will answer on (ISSUER), e.g. https://auth.example.com: ');
    rl.close();
    return checkIssuer(answer.trim());
  }
  if (opts.dryRun) {
    say('ISSUER is not set and no --issuer was given: setup would ask for it (a dry run goes on without it)');
    return null;
  }
  throw new Failure('ISSUER is not set: pass --issuer https://<the origin this server answers on>');
}

/** The database's id: found by name, or made. */
function findOrCreateDatabase(cli, name) {
  const find = () => {
    const listed = cli.query(['d1', 'list', '--json']);
    if (!listed) return null;
    if (!listed.ok) throw new Failure(`cannot list D1 databases (is wrangler logged in? npx wrangler login):\n${listed.stderr.trim()}`);
    return jsonFrom(listed.stdout).find((d) => d.name === name)?.uuid ?? null;
  };
  let id = find();
  if (id) {
    say(`exists: ${id}`);
    return id;
  }
  cli.remote(['d1', 'create', name, ...(opts.location ? ['--location', opts.location] : [])]);
  if (opts.dryRun) return null;
  id = find();
  if (!id) throw new Failure(`created ${name}, but d1 list does not show it`);
  say(`created: ${id}`);
  return id;
}

function updateConfig(cfg, { issuer, databaseId }) {
  const changes = {
    ...(databaseId && databaseId !== cfg.db.database_id ? { databaseId } : {}),
    ...(issuer && issuer !== cfg.vars.ISSUER ? { issuer } : {}),
  };
  const described = [
    ...(changes.databaseId ? [`[[env.${cfg.env}.d1_databases]] database_id = "${changes.databaseId}"`] : []),
    ...(changes.issuer ? [`[env.${cfg.env}.vars] ISSUER = "${changes.issuer}"`] : []),
    ...(opts.dryRun && !databaseId ? [`[[env.${cfg.env}.d1_databases]] database_id = the id of ${cfg.db.database_name}`] : []),
  ];
  if (!described.length) return say('nothing to change');
  const text = editedConfig(opts.configPath, cfg.env, changes);
  const target = opts.dryRun ? join(scratchDir(), 'wrangler.toml') : opts.configPath;
  writeFileSync(target, text);
  // Read back through wrangler: the edit must say what we meant, and the file must still be valid.
  const check = readEnvironment(target, cfg.env);
  if ((changes.issuer && check.vars.ISSUER !== changes.issuer) || (changes.databaseId && check.db.database_id !== changes.databaseId)) {
    throw new Failure(`editing ${target} did not take: set the values by hand (${described.join('; ')})`);
  }
  for (const line of described) say(`${opts.dryRun ? 'would set' : 'set'} ${line}`);
  if (opts.dryRun && (changes.issuer || changes.databaseId)) say(`(the edited copy: ${target})`);
}

function setSecrets(cli, cfg) {
  const path = storePath(opts.projectDir, cfg.env);
  const kept = opts['replace-secrets'] ? null : readStore(path);
  const listed = cli.query(['secret', 'list', '--format', 'json']);
  // A Worker that does not exist yet has no secrets (and `secret list` fails for it).
  const remote = listed?.ok ? jsonFrom(listed.stdout).map((s) => s.name) : [];
  if (!kept && !opts['replace-secrets'] && remote.some((name) => REQUIRED_SECRETS.includes(name))) {
    throw new Failure(
      `${cfg.worker} has secrets set (${remote.join(', ')}) but ${shownPath(path)} does not exist, and Cloudflare cannot show them: restore the file from your backup, or pass --replace-secrets to make new ones (everyone is signed out and every token dies)`,
    );
  }
  if (opts['replace-secrets'] && existsSync(path) && !opts.dryRun) {
    const backup = `${path}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(path, backup);
    chmodSync(backup, 0o600);
    say(`the secrets being replaced are kept in ${shownPath(backup)}`);
  }
  // --replace-secrets keeps the pairwise secret of the file it replaces: a new one would change every pairwise sub.
  const previous = opts['replace-secrets'] && existsSync(path) ? readStore(path) : null;
  const store = kept ?? newStore(cfg.env, cfg.worker, new Date(), previous?.PAIRWISE_SECRET);
  if (kept) say(`using the secrets in ${shownPath(path)}`);
  if (kept && !kept.PAIRWISE_SECRET) {
    // A file from a version before pairwise subjects: the new secret joins it before anything is sent.
    store.PAIRWISE_SECRET = newPairwiseSecret();
    if (!opts.dryRun) writeStore(path, store);
    say(`${opts.dryRun ? 'would add' : 'added'} PAIRWISE_SECRET to ${shownPath(path)}`);
  } else if (opts.dryRun) {
    const sample = join(scratchDir(), `${cfg.env}.json`);
    writeStore(sample, store);
    say(
      `would generate ADMIN_TOKEN, SESSION_SECRET, PAIRWISE_SECRET and SIGNING_KEYS (kids ${store.SIGNING_KEYS.map((k) => k.kid).join(', ')}) into ${shownPath(path)}`,
    );
    say(`(generated for this dry run into ${sample}, mode 600)`);
  } else {
    writeStore(path, store);
    say(`generated ADMIN_TOKEN, SESSION_SECRET, PAIRWISE_SECRET and SIGNING_KEYS into ${shownPath(path)} (mode 600; back it up)`);
  }
  if (opts['show-secrets']) {
    for (const [name, value] of Object.entries(secretValues(store, SETUP_SECRETS))) say(`  ${name}=${value}`);
  }

  const missing = SETUP_SECRETS.filter((name) => !remote.includes(name));
  if (kept && !missing.length && !opts['push-secrets'] && listed) {
    return say(`${cfg.worker} has ${SETUP_SECRETS.join(', ')} already: kept (--push-secrets sets them again from the file)`);
  }
  cli.remote(['secret', 'bulk'], {
    input: JSON.stringify(secretValues(store, SETUP_SECRETS)),
    inputNote: `< {${SETUP_SECRETS.join(', ')}} on standard input`,
  });
  if (!opts.dryRun) writeStore(path, { ...store, pushed_at: new Date().toISOString() });
}

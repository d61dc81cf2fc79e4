// wrangler.toml as the operator scripts read, check and edit it. Reading goes through wrangler itself (what it
// reads is what it deploys); the two edits (an environment's database_id and ISSUER) change one line in place, so
// that comments and layout stay, and are read back through wrangler to make sure they took.
import { readFileSync } from 'node:fs';
import { experimental_readRawConfig, unstable_readConfig } from 'wrangler';
import { Failure } from './cli.mjs';

export const PLACEHOLDER_DATABASE_ID = '00000000-0000-0000-0000-000000000000';
export const REQUIRED_SECRETS = ['ADMIN_TOKEN', 'SESSION_SECRET', 'SIGNING_KEYS'];
/**
 * What setup sets besides: PAIRWISE_SECRET keys pairwise subject identifiers. Not required by wrangler.toml, so that a
 * deployment made before it keeps deploying; the Worker needs it once a client is pairwise.
 */
export const SETUP_SECRETS = [...REQUIRED_SECRETS, 'PAIRWISE_SECRET'];

/** What the scripts need to know of one environment, as wrangler resolves it. */
export function readEnvironment(configPath, env) {
  let raw;
  try {
    raw = experimental_readRawConfig({ config: configPath }).rawConfig;
  } catch (error) {
    throw new Failure(`cannot read ${configPath}: ${error.message}`);
  }
  const known = Object.keys(raw.env ?? {});
  if (!known.includes(env)) {
    throw new Failure(`${configPath} has no [env.${env}]; its environments: ${known.join(', ') || 'none'} (README "Environments")`);
  }
  const config = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  const db = config.d1_databases.find((d) => d.binding === 'DB');
  return {
    env,
    worker: config.name,
    vars: { ...config.vars },
    topLevelVars: { ...(raw.vars ?? {}) },
    db,
    ledger: config.durable_objects.bindings.find((b) => b.name === 'LEDGER'),
    ratelimits: config.ratelimits ?? [],
    topLevelRatelimits: raw.ratelimits ?? [],
    requiredSecrets: config.secrets?.required ?? [],
    routes: [...(config.routes ?? []), ...(config.route ? [config.route] : [])],
    workersDev: config.workers_dev !== false,
  };
}

/** The issuer as the Worker will use it (an https origin, no trailing slash), or a Failure naming what is wrong. */
export function checkIssuer(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Failure(`ISSUER ${JSON.stringify(value)} is not a URL: give the https origin, e.g. https://auth.example.com`);
  }
  if (url.protocol !== 'https:') throw new Failure(`ISSUER must be https (got ${value})`);
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new Failure(
      `ISSUER must be an origin only, without path, query or fragment (got ${value}): the Worker serves /oauth/v2/... and /.well-known/... at the root`,
    );
  }
  return url.origin;
}

/**
 * Everything a deployment needs from the configuration. `setup` problems are the ones `npm run setup` fixes;
 * `error` problems are for a person to fix in wrangler.toml; `warning` ones do not stop a deployment.
 */
export function configProblems(cfg) {
  const problems = [];
  const add = (level, message) => problems.push({ level, message });
  const fix = `npm run setup -- --env ${cfg.env}`;
  if (!cfg.vars.ISSUER) add('setup', `ISSUER is not set for ${cfg.env}: ${fix} --issuer https://<your domain>`);
  else {
    try {
      checkIssuer(cfg.vars.ISSUER);
      const host = new URL(cfg.vars.ISSUER).host;
      if (!servesHost(cfg, host)) {
        add(
          'warning',
          `ISSUER's host ${host} is neither a workers.dev host nor a route of [env.${cfg.env}]: add routes = [{ pattern = "${host}", custom_domain = true }] (README "Custom domain")`,
        );
      }
    } catch (error) {
      add('error', error.message);
    }
  }
  if (!cfg.db) add('error', `[env.${cfg.env}] has no D1 binding DB ([[env.${cfg.env}.d1_databases]])`);
  else {
    if (!cfg.db.database_id || cfg.db.database_id === PLACEHOLDER_DATABASE_ID) {
      add('setup', `the D1 database ${cfg.db.database_name} has no id in wrangler.toml yet: ${fix}`);
    }
    if (cfg.db.migrations_dir !== 'migrations') add('error', `[[env.${cfg.env}.d1_databases]] DB needs migrations_dir = "migrations"`);
  }
  if (!cfg.ledger) add('error', `[env.${cfg.env}] has no Durable Object binding LEDGER (class Ledger)`);
  const missingSecrets = REQUIRED_SECRETS.filter((s) => !cfg.requiredSecrets.includes(s));
  if (missingSecrets.length) add('error', `[env.${cfg.env}.secrets] required must list ${missingSecrets.join(', ')}`);
  const wanted = Object.keys(cfg.topLevelVars);
  const missingVars = wanted.filter((v) => !(v in cfg.vars));
  const extraVars = Object.keys(cfg.vars).filter((v) => !wanted.includes(v));
  if (missingVars.length)
    add('error', `[env.${cfg.env}.vars] lacks ${missingVars.join(', ')} (vars are not inherited: copy them from [vars])`);
  if (extraVars.length) add('error', `[env.${cfg.env}.vars] has ${extraVars.join(', ')}, which [vars] has not`);
  const bound = cfg.ratelimits.map((r) => r.name);
  const missingLimits = cfg.topLevelRatelimits.map((r) => r.name).filter((name) => !bound.includes(name));
  if (missingLimits.length) {
    add(
      'error',
      `[env.${cfg.env}] lacks the rate limit binding ${missingLimits.join(', ')} (not inherited: copy its [[ratelimits]] entry)`,
    );
  }
  return problems;
}

function servesHost(cfg, host) {
  if (host.endsWith('.workers.dev')) return cfg.workersDev;
  return cfg.routes.some((route) => {
    const pattern = typeof route === 'string' ? route : route.pattern;
    return pattern.replace(/^https?:\/\//, '').replace(/\/\*?$/, '') === host || pattern.startsWith(`${host}/`);
  });
}

/**
 * wrangler.toml's text with `key = "value"` set in the table `header` (e.g. `[env.production.vars]`) or in the
 * array-of-tables entry `header` whose `binding = "DB"` (e.g. `[[env.production.d1_databases]]`). The line's
 * comment stays.
 */
export function setTomlValue(text, header, key, value, { binding } = {}) {
  const lines = text.split('\n');
  const isHeader = (line) => /^\s*\[/.test(line);
  let start = -1;
  for (let i = 0; i < lines.length && start < 0; i++) {
    if (lines[i].trim() !== header) continue;
    let end = i + 1;
    while (end < lines.length && !isHeader(lines[end])) end++;
    const body = lines.slice(i + 1, end);
    if (!binding || body.some((line) => new RegExp(`^\\s*binding\\s*=\\s*"${binding}"`).test(line))) start = i;
  }
  if (start < 0) throw new Failure(`wrangler.toml has no ${header}${binding ? ` with binding = "${binding}"` : ''}`);
  let end = start + 1;
  while (end < lines.length && !isHeader(lines[end])) end++;
  const keyLine = new RegExp(`^(\\s*${key}\\s*=\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*')(.*)$`);
  const at = lines.slice(start + 1, end).findIndex((line) => keyLine.test(line));
  if (at >= 0) {
    const i = start + 1 + at;
    lines[i] = lines[i].replace(keyLine, (_, before, _old, after) => `${before}${JSON.stringify(value)}${after}`);
  } else {
    lines.splice(start + 1, 0, `${key} = ${JSON.stringify(value)}`);
  }
  return lines.join('\n');
}

/** The text with this environment's database_id and/or ISSUER set. */
export function editedConfig(configPath, env, { databaseId, issuer }) {
  let text = readFileSync(configPath, 'utf8');
  if (databaseId) text = setTomlValue(text, `[[env.${env}.d1_databases]]`, 'database_id', databaseId, { binding: 'DB' });
  if (issuer) text = setTomlValue(text, `[env.${env}.vars]`, 'ISSUER', issuer);
  return text;
}

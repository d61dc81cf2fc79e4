// `npm run keys`: the signing keys of a deployed environment, from its .secrets/<env>.json.
//   list            the keys, which one signs for each alg, and when the others may be retired
//   rotate          a new key per alg (or --alg) becomes the signer; the old ones stay published
//   retire <kid>    remove a key that no longer signs, once the tokens it signed have expired
//   push            set SIGNING_KEYS from the file again (after a push that failed)
import { join } from 'node:path';
import { generateSigningKey } from './signing-keys.mjs';
import { Failure, main, options, say, scratchDir, wrangler } from './lib/cli.mjs';
import { readEnvironment } from './lib/config.mjs';
import { KeySetError, retire, rotate, SIGNING_ALGS, signers } from './lib/keyset.mjs';
import { newStore, readStore, secretValues, shownPath, storePath, writeStore } from './lib/store.mjs';

const USAGE = `npm run keys -- list|rotate|retire <kid>|push [--env production|staging] [--dry-run] [--config wrangler.toml]

  rotate [--alg RS256|ES256]   new signer(s); the old keys stay published for the tokens they signed
  retire <kid> [--force]       refuses a key that signs, and (without --force) one whose tokens may still be valid
  --token-lifetime <seconds>   the longest token lifetime, when a template or client sets a longer one than the vars
  --dry-run                    work on a temporary copy of the key file and print the wrangler command`;

const opts = options(USAGE, {
  alg: { type: 'string' },
  force: { type: 'boolean', default: false },
  'token-lifetime': { type: 'string' },
});

await main(async () => {
  const { env, configPath, dryRun, positionals } = opts;
  const [command, kid] = positionals;
  const cfg = readEnvironment(configPath, env);
  const path = storePath(opts.projectDir, env);
  let store = readStore(path);
  if (!store) {
    if (!dryRun || command === 'push') {
      throw new Failure(`no ${shownPath(path)}: run npm run setup -- --env ${env} first, or restore the file from your backup`);
    }
    store = newStore(env, cfg.worker);
    say(`(dry run without ${shownPath(path)}: working on a key set generated as npm run setup would)`);
  }
  const lifetime = longestTokenLifetime(cfg.vars);
  const save = (next) => {
    const target = dryRun ? join(scratchDir(), `${env}.json`) : path;
    writeStore(target, next);
    say(`${dryRun ? 'the new key file (dry run)' : 'saved'}: ${shownPath(target)}`);
  };
  const push = (next) =>
    wrangler(opts).remote(['secret', 'bulk'], {
      input: JSON.stringify(secretValues(next, ['SIGNING_KEYS'])),
      inputNote: '< {SIGNING_KEYS} on standard input',
    });

  switch (command) {
    case 'list':
      return list(store, lifetime);
    case 'rotate': {
      const algs = opts.alg ? [opts.alg] : SIGNING_ALGS;
      if (!algs.every((a) => SIGNING_ALGS.includes(a))) throw new Failure(`--alg takes ${SIGNING_ALGS.join(' or ')}`);
      const now = new Date();
      const before = signers(store.SIGNING_KEYS);
      const fresh = algs.map((alg) => generateSigningKey(alg));
      const history = { ...store.key_history };
      for (const key of fresh) history[key.kid] = { alg: key.alg, created_at: now.toISOString(), superseded_at: null };
      for (const alg of algs) if (before[alg]) history[before[alg]] = { ...history[before[alg]], superseded_at: now.toISOString() };
      const next = { ...store, SIGNING_KEYS: rotate(store.SIGNING_KEYS, fresh), key_history: history };
      save(next);
      push(next);
      for (const key of fresh) say(`${key.alg}: ${key.kid} signs from now on`);
      const retireAt = new Date(now.getTime() + lifetime.seconds * 1000).toISOString();
      for (const alg of algs) {
        if (before[alg])
          say(`${alg}: ${before[alg]} stays published; retire it after ${retireAt}: npm run keys -- retire ${before[alg]} --env ${env}`);
      }
      return say(`(${lifetime.explained})`);
    }
    case 'retire': {
      if (!kid) throw new Failure(`which key? npm run keys -- retire <kid> (npm run keys -- list --env ${env} shows them)`);
      let keys;
      try {
        keys = retire(store.SIGNING_KEYS, kid);
      } catch (error) {
        if (error instanceof KeySetError) throw new Failure(error.message);
        throw error;
      }
      const safeAt = safeRetirement(store, kid, lifetime);
      if (safeAt > Date.now() && !opts.force) {
        throw new Failure(
          `tokens signed by ${kid} may be valid until ${new Date(safeAt).toISOString()} (${lifetime.explained}); retiring it now makes them fail. Wait, or pass --force`,
        );
      }
      const history = { ...store.key_history, [kid]: { ...store.key_history?.[kid], retired_at: new Date().toISOString() } };
      const next = { ...store, SIGNING_KEYS: keys, key_history: history };
      save(next);
      push(next);
      return say(`${kid} is retired: no longer published, tokens it signed no longer verify`);
    }
    case 'push':
      push(store);
      return say(`SIGNING_KEYS set from ${shownPath(path)}`);
    default:
      throw new Failure(`unknown command ${command ?? '(none)'}\n\n${USAGE}`);
  }
});

/** The longest a token signed with these keys can live: IATs, access and ID tokens (refresh tokens are opaque). */
function longestTokenLifetime(vars) {
  if (opts['token-lifetime']) {
    const seconds = Number(opts['token-lifetime']);
    if (!Number.isInteger(seconds) || seconds <= 0) throw new Failure('--token-lifetime takes a whole number of seconds');
    return { seconds, explained: `the longest token lifetime is ${seconds} s (--token-lifetime)` };
  }
  const candidates = { IAT_TTL: Number(vars.IAT_TTL || 300), ACCESS_TOKEN_TTL: Number(vars.ACCESS_TOKEN_TTL || 3600) };
  const [name, seconds] = Object.entries(candidates).sort((a, b) => b[1] - a[1])[0];
  return {
    seconds,
    explained: `the longest token lifetime here is ${name} = ${seconds} s; a template or static client with a longer access_token_ttl (GET /admin/v1/templates, /admin/v1/clients) needs that much longer: pass --token-lifetime <seconds>`,
  };
}

/** When a key may go: once it stopped signing, plus the longest token lifetime. A key that never signed: at once. */
function safeRetirement(store, kid, lifetime) {
  const supersededAt = store.key_history?.[kid]?.superseded_at;
  return supersededAt ? Date.parse(supersededAt) + lifetime.seconds * 1000 : 0;
}

function list(store, lifetime) {
  const signing = signers(store.SIGNING_KEYS);
  say(`SIGNING_KEYS of ${store.environment} (${store.SIGNING_KEYS.length} keys; the first of each alg signs)`);
  for (const key of store.SIGNING_KEYS) {
    const history = store.key_history?.[key.kid] ?? {};
    const safeAt = safeRetirement(store, key.kid, lifetime);
    const when = safeAt > Date.now() ? `after ${new Date(safeAt).toISOString()}` : 'now';
    const role = signing[key.alg] === key.kid ? 'signs' : `published only; may be retired ${when}`;
    say(`  ${key.kid}  ${key.alg}  created ${history.created_at ?? '?'}  ${role}`);
  }
  say(`(${lifetime.explained})`);
}

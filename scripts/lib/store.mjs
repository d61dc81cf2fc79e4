// The secrets of a deployed environment, kept on the operator's machine in .secrets/<env>.json (git-ignored, mode
// 600): Cloudflare never shows a secret again, and rotating keys needs the private keys in use. Written before
// anything is sent to Cloudflare, so a secret that is set there is never one that is lost here.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { generateSigningKey } from '../signing-keys.mjs';
import { Failure, say } from './cli.mjs';
import { SIGNING_ALGS } from './keyset.mjs';

export const storePath = (projectDir, env) => join(projectDir, '.secrets', `${env}.json`);

export function readStore(path) {
  if (!existsSync(path)) return null;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) say(`warning: ${path} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Failure(`${path} is not valid JSON (${error.message}): restore it from your backup`);
  }
}

/** Atomic: a temporary file in the same folder (mode 600), then renamed over the old one. */
export function writeStore(path, store) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export const newPairwiseSecret = () => randomBytes(32).toString('base64url');

/**
 * Fresh ADMIN_TOKEN, SESSION_SECRET and SIGNING_KEYS (one RS256 and one ES256 key) for an environment, and
 * PAIRWISE_SECRET unless one is given (it is kept when the others are replaced: pairwise subs are users' identities).
 */
export function newStore(env, worker, now = new Date(), pairwiseSecret = newPairwiseSecret()) {
  const keys = SIGNING_ALGS.map((alg) => generateSigningKey(alg));
  return {
    about: `Secrets of the edge-dcr environment ${env} (Worker ${worker}), written by npm run setup and npm run keys. Cloudflare cannot show them again: keep this file private (mode 600) and backed up.`,
    environment: env,
    worker,
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PAIRWISE_SECRET: pairwiseSecret,
    SIGNING_KEYS: keys,
    key_history: Object.fromEntries(keys.map((k) => [k.kid, { alg: k.alg, created_at: now.toISOString(), superseded_at: null }])),
    pushed_at: null,
  };
}

/** The values `wrangler secret bulk` takes: every one a string. */
export const secretValues = (store, names) =>
  Object.fromEntries(names.map((name) => [name, name === 'SIGNING_KEYS' ? JSON.stringify(store.SIGNING_KEYS) : store[name]]));

export const shownPath = (path) => relative(process.cwd(), path) || path;

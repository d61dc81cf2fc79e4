// What the operator scripts (setup, deploy, keys) share: options, output, and running wrangler. With --dry-run a
// command that needs a Cloudflare account is printed instead of run; the local ones (a build, migrations on a
// temporary database) still run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

export class Failure extends Error {}

/** Options every script takes, plus its own. Exits with a usage line on an unknown option. */
export function options(usage, own = {}) {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        env: { type: 'string', default: 'production' },
        config: { type: 'string', default: 'wrangler.toml' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...own,
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    const configPath = resolve(values.config);
    return { ...values, dryRun: values['dry-run'], configPath, projectDir: dirname(configPath), positionals };
  } catch (error) {
    console.error(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
}

/** Runs a script's main function: a Failure is printed without a stack trace and exits 1. */
export async function main(fn) {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    console.error(`\nedge-dcr: ${error.message}`);
    process.exit(1);
  }
}

export const say = (line = '') => console.log(line);
export const step = (line) => console.log(`\n== ${line}`);

let scratch;
/** A temporary folder for this run (dry-run outputs, generated keys); kept, so that its files can be looked at. */
export function scratchDir() {
  scratch ??= mkdtempSync(join(tmpdir(), 'edge-dcr-'));
  return scratch;
}

/**
 * wrangler for one environment and config file. `remote(...)` needs the Cloudflare account: with --dry-run it is
 * printed and answers null. `local(...)` always runs. EDGE_DCR_WRANGLER names a Node script to run instead of
 * wrangler (the tests' stand-in for Cloudflare).
 */
export function wrangler({ env, configPath, dryRun }) {
  const scope = ['--env', env];
  const shown = (args) => {
    const config = relative(process.cwd(), configPath);
    return ['npx wrangler', ...args, ...scope, ...(config === 'wrangler.toml' ? [] : ['--config', config])].join(' ');
  };
  const exec = (args, { input, capture = false } = {}) => {
    const bin = process.env.EDGE_DCR_WRANGLER || WRANGLER_BIN;
    const result = spawnSync(process.execPath, [bin, ...args, ...scope, '--config', configPath], {
      input: input ?? '',
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['pipe', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    });
    if (result.error) throw result.error;
    return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  };
  const mustRun = (args, options) => {
    say(`$ ${shown(args)}${options?.inputNote ? ` ${options.inputNote}` : ''}`);
    const result = exec(args, options);
    if (!result.ok) throw new Failure(`\`${shown(args)}\` failed${result.stderr ? `:\n${result.stderr.trim()}` : ''}`);
    return result;
  };
  return {
    shown,
    /** Needs the account. `inputNote` says what goes to its standard input, for the printed command. */
    remote(args, options = {}) {
      if (dryRun) {
        say(`would run: ${shown(args)}${options.inputNote ? ` ${options.inputNote}` : ''}`);
        return null;
      }
      return mustRun(args, options);
    },
    /** Needs the account, and may fail without that being fatal (the caller decides). Not run by --dry-run. */
    query(args) {
      if (dryRun) {
        say(`would run: ${shown(args)}`);
        return null;
      }
      say(`$ ${shown(args)}`);
      return exec(args, { capture: true });
    },
    local: mustRun,
  };
}

/** The JSON a wrangler command printed (wrangler may print a banner before it). */
export function jsonFrom(text) {
  const start = text.search(/^[[{]/m);
  if (start < 0) throw new Failure(`wrangler printed no JSON:\n${text}`);
  return JSON.parse(text.slice(start));
}

import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script shared with the operator scripts
import { configProblems, readEnvironment } from '../../scripts/lib/config.mjs';
// @ts-expect-error plain ESM script shared with the operator scripts
import { KeySetError, retire, rotate, signers } from '../../scripts/lib/keyset.mjs';
import { ROOT } from './upgrade-harness';
import { RATE_LIMITS } from '../../src/limits/rate-limit-table';

/**
 * npm run setup / deploy / keys as an operator runs them, in a temporary copy of the configuration (wrangler.toml and
 * migrations/ copied, src and node_modules linked), so the repository's files are never touched. As on a fresh
 * clone in CI: CI=true, no .dev.vars, no Cloudflare login. The dry runs use the real wrangler; the runs that need an
 * account use test/scripts/fake-wrangler.mjs as their Cloudflare.
 */
const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'edge-dcr-scripts-'));
  projects.push(dir);
  cpSync(join(ROOT, 'wrangler.toml'), join(dir, 'wrangler.toml'));
  cpSync(join(ROOT, 'migrations'), join(dir, 'migrations'), { recursive: true });
  for (const name of ['src', 'node_modules', 'tsconfig.json']) symlinkSync(join(ROOT, name), join(dir, name));
  mkdirSync(join(dir, 'tmp'));
  const fakeState = join(dir, 'fake-cloudflare.json');
  return {
    dir,
    config: () => readFileSync(join(dir, 'wrangler.toml'), 'utf8'),
    run: (script: string, args: string[], { fake = false } = {}) =>
      run(
        script,
        args,
        dir,
        fake ? { EDGE_DCR_WRANGLER: join(import.meta.dirname, 'fake-wrangler.mjs'), FAKE_WRANGLER_STATE: fakeState } : {},
      ),
    cloudflare: () =>
      JSON.parse(readFileSync(fakeState, 'utf8')) as {
        databases: { uuid: string; name: string }[];
        workers: Record<string, { secrets: Record<string, string>; deployed: number }>;
        calls: { args: string[]; stdin: string }[];
      },
    store: (env = 'production') => JSON.parse(readFileSync(join(dir, '.secrets', `${env}.json`), 'utf8')),
  };
}

function run(script: string, args: string[], cwd: string, extraEnv: Record<string, string>) {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', TMPDIR: join(cwd, 'tmp'), ...extraEnv };
  for (const name of [
    'ADMIN_TOKEN',
    'SESSION_SECRET',
    'PAIRWISE_SECRET',
    'SIGNING_KEYS',
    'CLOUDFLARE_API_TOKEN',
    'CLOUDFLARE_ACCOUNT_ID',
  ]) {
    delete env[name];
  }
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', `${script}.mjs`), ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const secretsIn = (store: { ADMIN_TOKEN: string; SESSION_SECRET: string; PAIRWISE_SECRET: string; SIGNING_KEYS: { d: string }[] }) => [
  store.ADMIN_TOKEN,
  store.SESSION_SECRET,
  store.PAIRWISE_SECRET,
  ...store.SIGNING_KEYS.map((k) => k.d),
];

describe('npm run setup -- --dry-run', () => {
  it('on a fresh clone: prints what it would run, generates secrets only into a temporary file, changes nothing', async () => {
    const p = project();
    const before = p.config();
    const { status, stdout, stderr } = await p.run('setup', ['--dry-run']);
    expect(status, stderr).toBe(0);
    for (const command of [
      'would run: npx wrangler d1 list --json --env production',
      'would run: npx wrangler d1 create edge-dcr-production --env production',
      'would run: npx wrangler secret bulk --env production < {ADMIN_TOKEN, SESSION_SECRET, SIGNING_KEYS, PAIRWISE_SECRET} on standard input',
      'would run: npx wrangler d1 migrations apply DB --remote --env production',
      'migrations apply cleanly',
    ]) {
      expect(stdout).toContain(command);
    }
    const sample = /generated for this dry run into (\S+), mode 600/.exec(stdout)![1];
    expect(statSync(sample).mode & 0o777).toBe(0o600);
    const generated = JSON.parse(readFileSync(sample, 'utf8'));
    expect(generated.SIGNING_KEYS.map((k: { alg: string }) => k.alg)).toEqual(['RS256', 'ES256']);
    for (const secret of secretsIn(generated)) expect(stdout + stderr).not.toContain(secret);
    expect(p.config()).toBe(before);
    expect(existsSync(join(p.dir, '.secrets'))).toBe(false);
  });

  it('checks --issuer, shows the wrangler.toml edit it would make, and prints secrets only when asked', async () => {
    const p = project();
    const { status, stdout } = await p.run('setup', [
      '--dry-run',
      '--env',
      'staging',
      '--issuer',
      'https://auth-staging.example.com/',
      '--show-secrets',
    ]);
    expect(status).toBe(0);
    expect(stdout).toContain('would set [env.staging.vars] ISSUER = "https://auth-staging.example.com"');
    const edited = /\(the edited copy: (\S+)\)/.exec(stdout)![1];
    expect(readEnvironment(edited, 'staging').vars.ISSUER).toBe('https://auth-staging.example.com');
    expect(readEnvironment(edited, 'production').vars.ISSUER).toBe('');
    const generated = JSON.parse(readFileSync(/generated for this dry run into (\S+),/.exec(stdout)![1], 'utf8'));
    expect(stdout).toContain(`ADMIN_TOKEN=${generated.ADMIN_TOKEN}`);

    for (const [issuer, complaint] of [
      ['http://auth.example.com', 'must be https'],
      ['https://auth.example.com/tenant', 'origin only'],
      ['auth.example.com', 'is not a URL'],
    ]) {
      const refused = await p.run('setup', ['--dry-run', '--issuer', issuer]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(complaint);
      expect(refused.stdout).not.toContain('would run');
    }
  });
});

describe('npm run deploy -- --dry-run', () => {
  it('on a fresh clone: names what setup has not done yet, applies the migrations locally, builds the bundle', async () => {
    const p = project();
    const { status, stdout, stderr } = await p.run('deploy', ['--dry-run']);
    expect(status, stderr).toBe(0);
    expect(stdout).toContain('not set up: ISSUER is not set for production');
    expect(stdout).toContain('not set up: the D1 database edge-dcr-production has no id');
    expect(stdout).toContain('would run: npx wrangler d1 migrations apply DB --remote --env production');
    expect(stdout).toContain('would run: npx wrangler deploy --env production');
    const bundle = /the bundle wrangler would upload: (\S+)/.exec(stdout)![1];
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
    expect(stdout).toContain('https://<ISSUER>/.well-known/openid-configuration');
  });

  it('refuses a configuration a person must fix, and an environment that is not there', async () => {
    const p = project();
    const config = p.config();
    const production = config.indexOf('[env.production.vars]');
    writeFileSync(
      join(p.dir, 'wrangler.toml'),
      config.slice(0, production) + config.slice(production).replace(/^LEDGER_SHARDS = .*\n/m, ''),
    );
    const broken = await p.run('deploy', ['--dry-run']);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('error: [env.production.vars] lacks LEDGER_SHARDS');
    expect(broken.stdout).not.toContain('would run');
    const unknown = await p.run('deploy', ['--dry-run', '--env', 'prod']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('has no [env.prod]; its environments: staging, production');
  });
});

describe('the repository wrangler.toml', () => {
  it('binds every rate limit the Worker uses, at the top level and in every environment, with the period it assumes', () => {
    for (const env of ['staging', 'production']) {
      const cfg = readEnvironment(join(ROOT, 'wrangler.toml'), env);
      for (const ratelimits of [cfg.ratelimits, cfg.topLevelRatelimits]) {
        for (const { binding, periodSeconds } of Object.values(RATE_LIMITS)) {
          const entry = ratelimits.find((r: { name: string }) => r.name === binding);
          expect(entry?.simple.period, `${env}: ${binding}`).toBe(periodSeconds);
        }
      }
      const ids = cfg.ratelimits.map((r: { namespace_id: string }) => r.namespace_id);
      expect(
        ids.some((id: string) => cfg.topLevelRatelimits.some((r: { namespace_id: string }) => r.namespace_id === id)),
        env,
      ).toBe(false);
    }
  });

  it('an environment without a rate limit binding of the top level is refused, naming it', () => {
    const cfg = readEnvironment(join(ROOT, 'wrangler.toml'), 'staging');
    const problems = configProblems({ ...cfg, ratelimits: cfg.ratelimits.filter((r: { name: string }) => r.name !== 'LOGIN_IP_LIMITER') });
    expect(problems).toContainEqual({ level: 'error', message: expect.stringContaining('lacks the rate limit binding LOGIN_IP_LIMITER') });
  });

  it('every environment has the bindings, secrets and vars of the top level (vars are not inherited)', () => {
    for (const env of ['staging', 'production']) {
      const errors = configProblems(readEnvironment(join(ROOT, 'wrangler.toml'), env)).filter(
        (p: { level: string }) => p.level === 'error',
      );
      expect(errors, env).toEqual([]);
    }
  });
});

describe('setup, deploy and keys against a stand-in Cloudflare', () => {
  it('sets an environment up once, deploys it, rotates and retires keys', async () => {
    const p = project();
    const issuer = ['--issuer', 'https://auth.example.com'];

    // First setup: database created, its id and ISSUER written, secrets generated, kept and set, migrations applied.
    const first = await p.run('setup', issuer, { fake: true });
    expect(first.status, first.stderr + first.stdout).toBe(0);
    const [db] = p.cloudflare().databases;
    expect(db.name).toBe('edge-dcr-production');
    const production = readEnvironment(join(p.dir, 'wrangler.toml'), 'production');
    expect(production.db.database_id).toBe(db.uuid);
    expect(production.vars.ISSUER).toBe('https://auth.example.com');
    expect(readEnvironment(join(p.dir, 'wrangler.toml'), 'staging').db.database_id).toBe('00000000-0000-0000-0000-000000000000');
    expect(statSync(join(p.dir, '.secrets/production.json')).mode & 0o777).toBe(0o600);
    const store = p.store();
    expect(p.cloudflare().workers['edge-dcr-production'].secrets).toEqual({
      ADMIN_TOKEN: store.ADMIN_TOKEN,
      SESSION_SECRET: store.SESSION_SECRET,
      SIGNING_KEYS: JSON.stringify(store.SIGNING_KEYS),
      PAIRWISE_SECRET: store.PAIRWISE_SECRET,
    });
    expect(store.PAIRWISE_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const secret of secretsIn(store)) {
      expect(first.stdout + first.stderr).not.toContain(secret);
      for (const call of p.cloudflare().calls) expect(call.args.join(' ')).not.toContain(secret);
    }
    const commands = () => p.cloudflare().calls.map((c) => c.args.filter((a) => !a.startsWith('/')).join(' '));
    expect(commands()).toEqual([
      'd1 list --json --env production --config',
      'd1 create edge-dcr-production --env production --config',
      'd1 list --json --env production --config',
      'secret list --format json --env production --config',
      'secret bulk --env production --config',
      'd1 migrations apply DB --remote --env production --config',
    ]);

    // Again: nothing new is created or set, the same secrets are kept.
    const second = await p.run('setup', [], { fake: true });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('ISSUER = https://auth.example.com (already set)');
    expect(p.cloudflare().databases).toHaveLength(1);
    expect(commands().slice(6)).toEqual([
      'd1 list --json --env production --config',
      'secret list --format json --env production --config',
      'd1 migrations apply DB --remote --env production --config',
    ]);
    expect(p.store()).toEqual(store);

    // Deploy: secrets checked, migrations, then the Worker.
    const deployed = await p.run('deploy', [], { fake: true });
    expect(deployed.status, deployed.stderr + deployed.stdout).toBe(0);
    expect(commands().slice(9)).toEqual([
      'secret list --format json --env production --config',
      'd1 migrations apply DB --remote --env production --config',
      'deploy --env production --config',
    ]);
    expect(deployed.stdout).toContain('discovery:  https://auth.example.com/.well-known/openid-configuration');

    // Rotate: a new signer per alg in front, the old keys still published, SIGNING_KEYS set again.
    const [oldRsa, oldEc] = store.SIGNING_KEYS.map((k: { kid: string }) => k.kid);
    const rotated = await p.run('keys', ['rotate'], { fake: true });
    expect(rotated.status, rotated.stderr).toBe(0);
    const keys = p.store().SIGNING_KEYS as { kid: string; alg: string }[];
    expect(keys.map((k) => k.alg)).toEqual(['RS256', 'ES256', 'RS256', 'ES256']);
    expect(keys.slice(2).map((k) => k.kid)).toEqual([oldRsa, oldEc]);
    expect(JSON.parse(p.cloudflare().workers['edge-dcr-production'].secrets.SIGNING_KEYS)).toEqual(p.store().SIGNING_KEYS);
    expect(rotated.stdout).toMatch(new RegExp(`ES256: ${oldEc} stays published; retire it after \\S+: npm run keys -- retire ${oldEc}`));

    // Retire: not the signer, not before its tokens have expired (unless forced).
    const signerRefused = await p.run('keys', ['retire', keys[1].kid], { fake: true });
    expect(signerRefused.status).toBe(1);
    expect(signerRefused.stderr).toContain(`${keys[1].kid} is the ES256 signer`);
    const early = await p.run('keys', ['retire', oldEc], { fake: true });
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/may be valid until \S+ \(the longest token lifetime here is ACCESS_TOKEN_TTL = 3600 s/);
    const forced = await p.run('keys', ['retire', oldEc, '--force'], { fake: true });
    expect(forced.status, forced.stderr).toBe(0);
    expect(p.store().SIGNING_KEYS.map((k: { kid: string }) => k.kid)).not.toContain(oldEc);
    expect(JSON.parse(p.cloudflare().workers['edge-dcr-production'].secrets.SIGNING_KEYS)).toHaveLength(3);
    const listed = await p.run('keys', ['list'], {});
    expect(listed.stdout).toContain(`${keys[0].kid}  RS256`);
    expect(listed.stdout).toMatch(new RegExp(`${oldRsa}  RS256 .* published only; may be retired after`));

    // A lost key file is not silently replaced while the Worker has secrets.
    renameSync(join(p.dir, '.secrets/production.json'), join(p.dir, 'moved.json'));
    const lost = await p.run('setup', [], { fake: true });
    expect(lost.status).toBe(1);
    expect(lost.stderr).toContain('restore the file from your backup, or pass --replace-secrets');
  });

  it('PAIRWISE_SECRET, which came later: setup adds it to an older key file and sets it; --replace-secrets keeps it', async () => {
    const p = project();
    const issuer = ['--issuer', 'https://auth.example.com'];
    expect((await p.run('setup', issuer, { fake: true })).status).toBe(0);
    // As an older version left them: no PAIRWISE_SECRET in the file, nor on the Worker.
    const { PAIRWISE_SECRET: _, ...older } = p.store();
    writeFileSync(join(p.dir, '.secrets/production.json'), JSON.stringify(older), { mode: 0o600 });
    const state = p.cloudflare();
    delete state.workers['edge-dcr-production'].secrets.PAIRWISE_SECRET;
    writeFileSync(join(p.dir, 'fake-cloudflare.json'), JSON.stringify(state));

    const deployed = await p.run('deploy', [], { fake: true });
    expect(deployed.status, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('warning: PAIRWISE_SECRET is not set');

    const upgraded = await p.run('setup', [], { fake: true });
    expect(upgraded.status, upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toContain('added PAIRWISE_SECRET to .secrets/production.json');
    const store = p.store();
    expect(store).toMatchObject({ ADMIN_TOKEN: older.ADMIN_TOKEN, SESSION_SECRET: older.SESSION_SECRET, SIGNING_KEYS: older.SIGNING_KEYS });
    expect(p.cloudflare().workers['edge-dcr-production'].secrets).toMatchObject({
      ADMIN_TOKEN: older.ADMIN_TOKEN,
      PAIRWISE_SECRET: store.PAIRWISE_SECRET,
    });
    expect((await p.run('deploy', [], { fake: true })).stdout).not.toContain('PAIRWISE_SECRET is not set');

    const replaced = await p.run('setup', ['--replace-secrets'], { fake: true });
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(p.store().ADMIN_TOKEN).not.toBe(store.ADMIN_TOKEN);
    expect(p.store().PAIRWISE_SECRET).toBe(store.PAIRWISE_SECRET);
  });

  it('keys -- rotate --dry-run without a key file works on a temporary set and sets nothing', async () => {
    const p = project();
    const { status, stdout } = await p.run('keys', ['rotate', '--dry-run', '--alg', 'ES256']);
    expect(status).toBe(0);
    expect(stdout).toContain('would run: npx wrangler secret bulk --env production < {SIGNING_KEYS} on standard input');
    expect(existsSync(join(p.dir, '.secrets'))).toBe(false);
  });
});

describe('key set rules (scripts/lib/keyset.mjs)', () => {
  const key = (alg: string, kid: string) => ({ alg, kid, d: 'x' });
  it('rotation puts new keys first; the first key of each alg signs', () => {
    const set = rotate([key('RS256', 'r1'), key('ES256', 'e1')], [key('ES256', 'e2')]);
    expect(set.map((k: { kid: string }) => k.kid)).toEqual(['e2', 'r1', 'e1']);
    expect(signers(set)).toEqual({ ES256: 'e2', RS256: 'r1' });
    expect(() => rotate(set, [key('ES256', 'e1')])).toThrow(KeySetError);
    expect(() => rotate(set, [key('HS256', 'h1')])).toThrow(/not one of/);
  });
  it('retiring refuses a signer, the only key of an alg included, and an unknown kid', () => {
    const set = [key('ES256', 'e2'), key('RS256', 'r1'), key('ES256', 'e1')];
    expect(retire(set, 'e1').map((k: { kid: string }) => k.kid)).toEqual(['e2', 'r1']);
    expect(() => retire(set, 'e2')).toThrow(/is the ES256 signer:/);
    expect(() => retire(set, 'r1')).toThrow(/is the RS256 signer and the only RS256 key/);
    expect(() => retire(set, 'nope')).toThrow(/no key nope/);
  });
});

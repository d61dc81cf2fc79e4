import { ConfigurationError, isLoopback, settingsOf, type Env, type Settings } from './env';
import { loadKeySet, type KeySet } from './tokens/keys';

/**
 * What the Worker needs before it can answer anything but /health: its vars parsed, its secrets present and well
 * formed, its signing keys imported. Checked once per env object (once per isolate in practice), at the first
 * request; every problem is named, with its fix, in a ConfigurationError (README "Operating").
 */
export interface Configuration {
  settings: Settings;
  keys: KeySet;
}

/** Shortest accepted shared secrets: `npm run setup` and `npm start` make 43 characters (256 bits, base64url). */
const MIN_SECRET_LENGTH = 32;

const checked = new WeakMap<Env, Promise<Configuration>>();

export function configurationOf(env: Env): Promise<Configuration> {
  let configuration = checked.get(env);
  if (!configuration) {
    configuration = check(env);
    checked.set(env, configuration);
  }
  return configuration;
}

async function check(env: Env): Promise<Configuration> {
  const problems: string[] = [];
  let settings: Settings | undefined;
  try {
    settings = settingsOf(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.push(...error.problems);
  }
  for (const name of ['ADMIN_TOKEN', 'SESSION_SECRET'] as const) {
    const problem = sharedSecretProblem(name, env[name]);
    if (problem) problems.push(problem);
  }
  // Optional until a client is pairwise (src/oauth/subjects.ts); when set, as strong as the others.
  if (env.PAIRWISE_SECRET) {
    const problem = sharedSecretProblem('PAIRWISE_SECRET', env.PAIRWISE_SECRET);
    if (problem) problems.push(problem);
  }
  let keys: KeySet | undefined;
  if (!env.SIGNING_KEYS) problems.push(notSet('SIGNING_KEYS'));
  else {
    try {
      keys = await loadKeySet(env.SIGNING_KEYS);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length || !settings || !keys) throw new ConfigurationError(problems);
  return { settings, keys };
}

const notSet = (name: string) => `${name} is not set: run npm run setup (locally, npm start writes it to .dev.vars)`;

function sharedSecretProblem(name: string, value: string | undefined): string | null {
  if (!value) return notSet(name);
  if (value.length < MIN_SECRET_LENGTH) return `${name} must be at least ${MIN_SECRET_LENGTH} characters: npm run setup makes one`;
  return null;
}

/**
 * The issuer of a request: ISSUER when set, whatever host the request named. Without it only a loopback origin
 * (`npm start`) may stand in; any other host would otherwise choose the issuer of the tokens it gets.
 */
export function issuerFor(settings: Settings, url: URL): string {
  if (settings.issuer) return settings.issuer;
  if (isLoopback(url.hostname)) return url.origin;
  throw new ConfigurationError([
    `ISSUER is not set, and a request for ${url.host} cannot choose the issuer: run npm run setup -- --issuer https://<your domain>`,
  ]);
}

/** Every problem of the configuration as a request for `url` meets it; none when the Worker can answer it. */
export async function configurationProblems(env: Env, url: URL): Promise<readonly string[]> {
  try {
    issuerFor((await configurationOf(env)).settings, url);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

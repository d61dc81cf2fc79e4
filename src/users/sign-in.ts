import type { AuditRecorder } from '../audit/recorder';
import type { Settings } from '../env';
import type { Limits } from '../limits/rate-limits';
import { addressKey } from '../limits/client-address';
import type { LoginFailures, StoredUser } from '../model';
import type { Store } from '../store/store';
import { authenticateUser } from './authenticate';

/**
 * A submitted username and password, with the brute-force rules around them (README "Operating"):
 * - refused before any password is checked: an address over its failed sign-ins (LOGIN_IP_LIMITER, per Cloudflare
 *   location), or a username locked out (LOGIN_MAX_FAILURES in a row; kept in D1, so it holds worldwide, and kept for
 *   unknown usernames too, so that a lockout reveals nobody);
 * - a failure is counted for both, on the failure's own path;
 * - a success forgets the username's failures, off the response path.
 */

/** Longer usernames are never looked up or counted: no user can have one (src/users/schemas.ts). */
export const MAX_USERNAME_LENGTH = 128;

export interface SignInDeps {
  store: Store;
  limits: Limits;
  audit: AuditRecorder;
  settings: Pick<Settings, 'loginLockout'>;
  now: number;
  clientIp: string | null;
  background(what: string, work: Promise<unknown>): void;
}

export interface SignInAttempt {
  clientId: string;
  username: string;
  password: string;
}

/** What the store read for the username with the client: the user, if any, and its failed sign-ins. */
export interface SignInRecord {
  user: StoredUser | null;
  failures: LoginFailures | null;
}

export type SignInResult =
  | { outcome: 'signed-in'; user: StoredUser }
  /** Nothing was checked: try again in `retryAfter` seconds. */
  | { outcome: 'refused'; retryAfter: number }
  /** Wrong username or password; `retryAfter` > 0 when this failure reached a limit. */
  | { outcome: 'failed'; retryAfter: number };

export async function signIn(deps: SignInDeps, attempt: SignInAttempt, record: SignInRecord): Promise<SignInResult> {
  const username = attempt.username.slice(0, MAX_USERNAME_LENGTH);
  const counted = attempt.username.length <= MAX_USERNAME_LENGTH;
  const address = deps.clientIp === null ? null : addressKey(deps.clientIp);
  const about = { clientId: attempt.clientId, username };
  const waitFor = (until: number | null) => (until !== null && until > deps.now ? Math.ceil((until - deps.now) / 1000) : 0);

  const addressWait = address === null ? 0 : deps.limits.refusedFor('login_ip', address);
  if (addressWait > 0) return { outcome: 'refused', retryAfter: addressWait };
  const lockedUntil = record.failures?.lockedUntil ?? null;
  if (waitFor(lockedUntil) > 0) {
    deps.limits.refused('login_username', username, lockedUntil!, about);
    return { outcome: 'refused', retryAfter: waitFor(lockedUntil) };
  }

  const user = await authenticateUser(record.user, attempt.password);
  if (user) {
    if (record.failures) deps.background('forgetting failed sign-ins', deps.store.users.clearLoginFailures(username));
    deps.audit.record('login.succeeded', { ...about, subject: user.subject });
    return { outcome: 'signed-in', user };
  }

  const [failures, addressWaitNow] = await Promise.all([
    counted ? deps.store.users.recordLoginFailure(username, deps.now, deps.settings.loginLockout) : null,
    address === null ? 0 : deps.limits.countFailure('login_ip', address, about),
  ]);
  const lockWait = waitFor(failures?.lockedUntil ?? null);
  deps.audit.record('login.failed', {
    ...about,
    details: {
      reason: record.user ? 'wrong_password' : 'unknown_user',
      ...(failures ? { failures: failures.failures } : {}),
      ...(lockWait > 0 ? { locked_until: new Date(failures!.lockedUntil!).toISOString() } : {}),
    },
  });
  if (lockWait > 0) deps.limits.refused('login_username', username, failures!.lockedUntil!, about);
  return { outcome: 'failed', retryAfter: Math.max(lockWait, addressWaitNow) };
}

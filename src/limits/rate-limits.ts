import type { AuditRecorder } from '../audit/recorder';
import type { Env } from '../env';
import type { AuditSubjects } from '../model';
import { tooManyRequests } from '../errors';
import { RATE_LIMITS } from './rate-limit-table';
import { BoundedMap } from '../bounded-map';

export type RateLimitName = keyof typeof RATE_LIMITS;

/** A limit's name in audit events: a rate limit, or the per-username lockout. */
export type LimitName = RateLimitName | 'login_username';

export interface Limits {
  /** Counts one event for `key`. Over the limit: `too_many_requests` (429, Retry-After) saying `what` is limited. */
  enforce(name: RateLimitName, key: string, what: string, about: AuditSubjects): Promise<void>;
  /**
   * Counts one failure for `key`. Over the limit, this isolate refuses the key (`refusedFor`) until the window has
   * passed; returns the seconds to wait then, 0 while under the limit.
   */
  countFailure(name: RateLimitName, key: string, about: AuditSubjects): Promise<number>;
  /** Seconds this isolate still refuses `key` after its failures went over the limit; 0 when it does not. */
  refusedFor(name: RateLimitName, key: string): number;
  /** A key refused until `until` (ms) by a rule kept elsewhere, such as the lockout: audited like the others. */
  refused(name: LimitName, key: string, until: number, about: AuditSubjects): void;
}

/**
 * Keys over a limit, with the time they are refused until: what `refusedFor` answers from, and what keeps one key's
 * refusals to one audit event per window (a flood of refused requests must not become a flood of D1 writes).
 */
const overLimit = new BoundedMap<number>(10_000);

export function requestLimits(env: Env, audit: AuditRecorder, now: number): Limits {
  const binding = (name: RateLimitName): RateLimit | undefined => env[RATE_LIMITS[name].binding];
  const secondsUntil = (until: number) => Math.max(1, Math.ceil((until - now) / 1000));

  function refused(name: LimitName, key: string, until: number, about: AuditSubjects) {
    const entry = `${name}:${key}`;
    if ((overLimit.get(entry) ?? 0) > now) return;
    overLimit.set(entry, until);
    audit.record('rate_limit.exceeded', { ...about, details: { limit: name, until: new Date(until).toISOString(), ...about.details } });
  }

  /** Counts one for `key`; the time it is refused until when that took it over the limit, else null. */
  async function count(name: RateLimitName, key: string, about: AuditSubjects): Promise<number | null> {
    const limiter = binding(name);
    if (!limiter || (await limiter.limit({ key })).success) return null;
    const until = now + RATE_LIMITS[name].periodSeconds * 1000;
    refused(name, key, until, about);
    return until;
  }

  return {
    async enforce(name, key, what, about) {
      const until = await count(name, key, about);
      if (until !== null) throw tooManyRequests(`too many ${what}; try again later`, secondsUntil(until));
    },
    async countFailure(name, key, about) {
      const until = await count(name, key, about);
      return until === null ? 0 : secondsUntil(until);
    },
    refusedFor(name, key) {
      const until = overLimit.get(`${name}:${key}`) ?? 0;
      return until > now ? secondsUntil(until) : 0;
    },
    refused,
  };
}

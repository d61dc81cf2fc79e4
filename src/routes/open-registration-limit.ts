import type { Env } from '../env';

/**
 * Open registration is limited per client IP by the Workers Rate Limiting binding OPEN_REGISTRATION_LIMITER
 * (wrangler.toml: registrations per IP and minute). Behind this one function, so that it can join the server's
 * other rate limits later without touching registration.
 */
export async function openRegistrationAllowed(env: Env, clientIp: string): Promise<boolean> {
  const { success } = await env.OPEN_REGISTRATION_LIMITER.limit({ key: `open-registration:${clientIp}` });
  return success;
}

import type { Lookup, LookupRequest } from './store';

/**
 * Opt-in (CLIENT_CACHE_SECONDS > 0): lookups served from this isolate's memory for up to that many seconds. That
 * is the bound on staleness it buys: a template edit, a revoked instance, a rotated secret or a deleted user may go
 * unseen by an isolate for that long. Off by default, where every request reads the primary (docs/architecture.md).
 */

const MAX_ENTRIES = 10_000;
const entries = new Map<string, { lookup: Lookup; until: number }>();

export function cachedLookUp(
  lookUp: (request: LookupRequest) => Promise<Lookup>,
  ttlSeconds: number,
  now: number,
): (request: LookupRequest) => Promise<Lookup> {
  return async (request) => {
    // A login's failed sign-ins must be current (src/users/sign-in.ts): never from memory.
    if (request.username !== undefined) return lookUp(request);
    const key = JSON.stringify([
      request.clientId,
      request.userSubject ?? null,
      request.consent ?? false,
      request.metadataDocumentHost ?? null,
    ]);
    const hit = entries.get(key);
    if (hit && hit.until > now) return hit.lookup;
    const lookup = await lookUp(request);
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.delete(key);
    entries.set(key, { lookup, until: now + ttlSeconds * 1000 });
    return lookup;
  };
}

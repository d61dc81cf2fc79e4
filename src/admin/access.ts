import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * Cloudflare Access in front of /admin: Access signs in the admin and adds `Cf-Access-Jwt-Assertion` to each request
 * it lets through. The JWT is checked against the team's signing keys, issuer and the application's audience tag, so
 * a request that did not pass Access (or passed another application) is not an admin.
 */
export interface AccessSettings {
  /** `<team>.cloudflareaccess.com` */
  teamDomain: string;
  /** The Access application's audience (AUD) tag. */
  audience: string;
}

export interface AccessIdentity {
  /** Stable per person and application. */
  subject: string;
  email: string | null;
}

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

/** The team's published keys (fetched when first needed, cached and refreshed by jose), once per isolate. */
export function accessKeySet(teamDomain: string): JWTVerifyGetKey {
  let keys = remoteKeySets.get(teamDomain);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`https://${teamDomain}/cdn-cgi/access/certs`));
    remoteKeySets.set(teamDomain, keys);
  }
  return keys;
}

/** Who Access signed in, or null for a missing, forged, expired or foreign assertion. */
export async function verifyAccessAssertion(
  assertion: string | undefined,
  access: AccessSettings,
  keys: JWTVerifyGetKey,
  nowMs: number,
): Promise<AccessIdentity | null> {
  if (!assertion) return null;
  try {
    const { payload } = await jwtVerify(assertion, keys, {
      issuer: `https://${access.teamDomain}`,
      audience: access.audience,
      algorithms: ['RS256'],
      currentDate: new Date(nowMs),
    });
    if (typeof payload.sub !== 'string' || payload.sub === '') return null;
    return { subject: payload.sub, email: typeof payload.email === 'string' ? payload.email : null };
  } catch {
    return null;
  }
}

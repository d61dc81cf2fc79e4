import type { UserClaims } from '../model';

/** OpenID Connect Core 5.4: the standard claims each scope releases. */
const CLAIMS_BY_SCOPE: Record<string, ReadonlyArray<keyof UserClaims>> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

export const STANDARD_CLAIMS = Object.values(CLAIMS_BY_SCOPE).flat();

/** The user's claims that `scopes` allow to be released. */
export function releasedClaims(claims: UserClaims, scopes: readonly string[]): Partial<UserClaims> {
  const released: Record<string, unknown> = {};
  for (const scope of scopes) {
    for (const name of CLAIMS_BY_SCOPE[scope] ?? []) {
      if (claims[name] !== undefined) released[name] = claims[name];
    }
  }
  return released as Partial<UserClaims>;
}

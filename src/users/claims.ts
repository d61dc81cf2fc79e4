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

const claimsOfScope = (scope: string): readonly string[] => (Object.hasOwn(CLAIMS_BY_SCOPE, scope) ? CLAIMS_BY_SCOPE[scope]! : []);

/** The user's claims that `scopes` allow to be released. */
export const releasedClaims = (claims: UserClaims, scopes: readonly string[]): Partial<UserClaims> =>
  claimsNamed(claims, scopes.flatMap(claimsOfScope));

/** The user's claims among `names` (standard claims only): what a claims request asks for by name (OpenID Connect Core 5.5). */
export function claimsNamed(claims: UserClaims, names: readonly string[] | undefined): Partial<UserClaims> {
  const released: Record<string, unknown> = {};
  for (const name of names ?? []) {
    if (isStandardClaim(name) && claims[name] !== undefined) released[name] = claims[name];
  }
  return released as Partial<UserClaims>;
}

export const isStandardClaim = (name: string): name is keyof UserClaims => (STANDARD_CLAIMS as readonly string[]).includes(name);

/** The claims among `names` that `scopes` do not release already. */
export const claimsBeyondScopes = (names: readonly string[], scopes: readonly string[]) =>
  names.filter((name) => !scopes.some((scope) => claimsOfScope(scope).includes(name)));

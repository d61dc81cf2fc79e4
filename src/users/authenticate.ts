import type { StoredUser } from '../model';
import { spendPasswordCheck, verifyPassword } from './password';

/** The username/password authenticator, the value it puts in `acr`. */
export const PASSWORD_ACR = 'username-password';

/** RFC 8176: the authentication methods each authenticator uses, for the ID token's `amr`. */
const METHODS: Readonly<Record<string, readonly string[]>> = { [PASSWORD_ACR]: ['pwd'] };

export const amrOf = (acr: string): string[] => (Object.hasOwn(METHODS, acr) ? [...METHODS[acr]!] : []);

/**
 * The user (as looked up by the submitted username) when the password is right; null otherwise, in the same time
 * whether or not the user exists.
 */
export async function authenticateUser(user: StoredUser | null, password: string): Promise<StoredUser | null> {
  if (!user) {
    await spendPasswordCheck(password);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

import { getUser, type StoredUser } from '../storage/users';
import { spendPasswordCheck, verifyPassword } from './password';

/** The username/password authenticator, the value it puts in `acr`. */
export const PASSWORD_ACR = 'username-password';

/** The user when the password is right; null otherwise, in the same time whether or not the user exists. */
export async function authenticateUser(db: D1Database, username: string, password: string): Promise<StoredUser | null> {
  const user = username.length <= 128 ? await getUser(db, username) : null;
  if (!user) {
    await spendPasswordCheck(password);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

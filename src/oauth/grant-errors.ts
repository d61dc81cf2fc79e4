import { OAuthError } from './errors';

/** RFC 6749 5.2: the grant (code or refresh token) is invalid, expired, revoked, or not this client's. */
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description);

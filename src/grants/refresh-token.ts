import type { GrantHandler } from './types';
import { lifetimesOf, requireStillAllowed, splitScope, userTokenResponse } from './user-tokens';
import { invalidGrant, invalidScope, unauthorizedClient } from '../oauth/errors';
import { requireParam } from '../oauth/form';
import { parseScope } from '../oauth/scopes';
import { activeFamilyGrant, parseRefreshToken, rotate } from '../oauth/refresh-tokens';
import { getUserBySubject } from '../storage/users';

/**
 * RFC 6749 6 with rotation (RFC 9700 4.14.2): every use returns a new refresh token, the old one dies, and
 * a replayed one revokes the family. The grant is re-checked against the client's template as it is now
 * before the token is rotated, so a refused request leaves the refresh token usable.
 */
export const refreshTokenGrant: GrantHandler = async (deps, client, form) => {
  if (!client.capabilities.includes('refresh')) throw unauthorizedClient('this client may not use the refresh_token grant');
  const presented = parseRefreshToken(requireParam(form, 'refresh_token'));
  if (!presented) throw invalidGrant('the refresh token is invalid');
  const grant = await activeFamilyGrant(deps.ledger, presented.familyId, deps.now);
  if (!grant) throw invalidGrant('the refresh token is invalid, expired or revoked');
  if (grant.clientId !== client.clientId) throw invalidGrant('the refresh token was issued to another client');

  const granted = splitScope(grant.scope);
  const requestedScope = form.get('scope');
  const scope = requestedScope === undefined ? granted : parseScope(requestedScope);
  const widened = scope.find((s) => !granted.includes(s));
  if (widened !== undefined) throw invalidScope(`scope "${widened}" was not granted to this refresh token`);
  requireStillAllowed(scope, client);
  if (!(await getUserBySubject(deps.db, grant.sub))) throw invalidGrant('the user of this grant no longer exists');

  const refreshToken = await rotate(deps.ledger, presented, lifetimesOf(client, deps.now));
  if (!refreshToken) throw invalidGrant('the refresh token is invalid, expired or revoked');
  return userTokenResponse(deps, client, { grant, scope, familyId: presented.familyId, refreshToken });
};

import type { GrantHandler } from './types';
import { lifetimesOf, userTokenResponse } from './user-tokens';
import { invalidGrant, unauthorizedClient } from '../errors';
import { requireParam } from '../oauth/form';
import { parseScope } from '../oauth/scopes';
import { parseRefreshToken, rotate } from '../oauth/refresh-tokens';
import { isSubjectOf } from '../oauth/subjects';
import { claimsNamed } from '../users/claims';

/**
 * RFC 6749 6 with rotation (RFC 9700 4.14.2): every use returns a new refresh token, the old one dies, and a
 * rotated-out one coming back revokes the family. The user (named by the token: the `sub` its client knows, a
 * pairwise one opened) is read with the client, and must be the one the client knows by that `sub`; the
 * ledger checks the client and the scope against the template as it is now in the same call that rotates, so a
 * refused request leaves the refresh token usable.
 */
export const refreshTokenGrant: GrantHandler = {
  async userSubject(form, subjects) {
    const presented = parseRefreshToken(form.get('refresh_token') ?? '');
    return presented ? subjects.toRead(presented.sub) : undefined;
  },

  async issue(deps, client, form, user, dpopJkt) {
    if (!client.capabilities.includes('refresh')) throw unauthorizedClient('this client may not use the refresh_token grant');
    const presented = parseRefreshToken(requireParam(form, 'refresh_token'));
    if (!presented) throw invalidGrant('the refresh token is invalid');
    if (!user || !(await isSubjectOf(deps.subjects, client, user.subject, presented.sub))) {
      throw invalidGrant('the refresh token is invalid, or its user no longer exists');
    }
    const requestedScope = form.get('scope');
    const { grant, scope, refreshToken } = await rotate(deps, presented, {
      clientId: client.clientId,
      subject: user.subject,
      requestedScope: requestedScope === undefined ? null : parseScope(requestedScope),
      resource: form.get('resource') ?? null,
      allowedScopes: client.scopes,
      allowedResources: client.resources,
      lifetimes: lifetimesOf(client, deps.now),
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
    });
    const idTokenClaims = grant.claims?.id_token === undefined ? {} : { idTokenClaims: claimsNamed(user.claims, grant.claims.id_token) };
    const jkt = dpopJkt === undefined ? {} : { jkt: dpopJkt };
    return userTokenResponse(deps, client, {
      grant,
      sub: presented.sub,
      ...idTokenClaims,
      scope,
      grantId: presented.grantId,
      refreshToken,
      ...jkt,
    });
  },
};

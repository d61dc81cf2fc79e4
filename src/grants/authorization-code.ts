import type { GrantHandler } from './types';
import { lifetimesOf, userTokenResponse } from './user-tokens';
import { unauthorizedClient } from '../errors';
import { requireParam } from '../oauth/form';
import { redeemAuthorizationCode } from '../oauth/authorization-codes';
import { requireWellFormedVerifier } from '../oauth/pkce';
import { expiryOf, newRefreshSecret, refreshTokenOf, retentionOf } from '../oauth/refresh-tokens';
import { isPublicClient } from '../oauth/client';

/**
 * RFC 6749 4.1.3 with RFC 7636. The client is authenticated before this runs, so a failed client authentication
 * never burns the code; the ledger checks the client, `redirect_uri` and PKCE before it spends the code, and starts
 * the grant's refresh-token family in the same call.
 */
export const authorizationCodeGrant: GrantHandler = {
  async issue(deps, client, form, _user, dpopJkt) {
    if (!client.capabilities.includes('code')) throw unauthorizedClient('this client may not use the authorization_code grant');
    const code = requireParam(form, 'code');
    const codeVerifier = form.get('code_verifier');
    requireWellFormedVerifier(codeVerifier);

    const lifetimes = lifetimesOf(client, deps.now);
    // Minted before the code is known good, so that redemption and the family's start are one ledger call.
    const refresh = client.capabilities.includes('refresh') ? await newRefreshSecret() : null;
    const { grantId, code: granted } = await redeemAuthorizationCode(deps, {
      code,
      clientId: client.clientId,
      redirectUri: form.get('redirect_uri'),
      codeVerifier,
      resource: form.get('resource'),
      allowedScopes: client.scopes,
      allowedResources: client.resources,
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
      now: deps.now,
      family: {
        tokenHash: refresh?.hash ?? null,
        expiresAt: expiryOf(lifetimes),
        retainUntil: retentionOf(lifetimes),
        // RFC 9449 5: a public client's refresh tokens are bound to its key; a confidential one's to its authentication.
        ...(dpopJkt !== undefined && isPublicClient(client) ? { jkt: dpopJkt } : {}),
      },
    });
    const sub = await deps.subjects.of(client, granted.sub);
    return userTokenResponse(deps, client, {
      grant: granted,
      sub,
      ...(granted.idTokenClaims === undefined ? {} : { idTokenClaims: granted.idTokenClaims }),
      scope: granted.scope === '' ? [] : granted.scope.split(' '),
      grantId,
      ...(granted.nonce === undefined ? {} : { nonce: granted.nonce }),
      refreshToken: refresh && refreshTokenOf(grantId, sub, refresh.secret),
      ...(dpopJkt === undefined ? {} : { jkt: dpopJkt }),
    });
  },
};

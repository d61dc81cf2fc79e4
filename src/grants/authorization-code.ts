import type { GrantHandler } from './types';
import { lifetimesOf, requireStillAllowed, splitScope, userTokenResponse } from './user-tokens';
import { invalidGrant, invalidRequest, unauthorizedClient } from '../oauth/errors';
import { requireParam, type Form } from '../oauth/form';
import { redeemAuthorizationCode, type CodeGrant } from '../oauth/authorization-codes';
import { requireWellFormedVerifier, verifyCodeVerifier } from '../oauth/pkce';
import { revokeFamily, startFamily } from '../oauth/refresh-tokens';

/**
 * RFC 6749 4.1.3 with RFC 7636. The client is authenticated before this runs, so a failed client
 * authentication never burns the code. Everything checkable without the code is checked before redeeming it.
 */
export const authorizationCodeGrant: GrantHandler = async (deps, client, form) => {
  if (!client.capabilities.includes('code')) throw unauthorizedClient('this client may not use the authorization_code grant');
  const code = requireParam(form, 'code');
  const verifier = form.get('code_verifier');
  requireWellFormedVerifier(verifier);

  const redemption = await redeemAuthorizationCode(deps.ledger, code, deps.now);
  if (redemption.outcome === 'invalid') throw invalidGrant('the authorization code is invalid or has expired');
  const { grant } = redemption;
  if (redemption.outcome === 'reused') {
    // RFC 6749 4.1.2: a code used twice may be in an attacker's hands; what it issued is revoked.
    await revokeFamily(deps.ledger, grant.familyId, lifetimesOf(client, deps.now));
    throw invalidGrant('the authorization code has already been used; the tokens it issued are revoked');
  }
  if (grant.clientId !== client.clientId) throw invalidGrant('the authorization code was issued to another client');
  requireSameRedirectUri(grant, form);
  await verifyCodeVerifier(grant.codeChallenge, verifier);
  const scope = splitScope(grant.scope);
  requireStillAllowed(scope, client);

  const familyGrant = { clientId: client.clientId, sub: grant.sub, scope: grant.scope, authTime: grant.authTime, acr: grant.acr };
  let refreshToken: string | null = null;
  if (client.capabilities.includes('refresh')) {
    refreshToken = await startFamily(deps.ledger, grant.familyId, familyGrant, lifetimesOf(client, deps.now));
    if (!refreshToken) throw invalidGrant('the authorization code has been used twice; its tokens are revoked');
  }
  return userTokenResponse(deps, client, {
    grant: familyGrant,
    scope,
    familyId: grant.familyId,
    ...(grant.nonce === undefined ? {} : { nonce: grant.nonce }),
    refreshToken,
  });
};

/** RFC 6749 4.1.3: the redirect_uri of the authorization request, repeated identically when it was given. */
function requireSameRedirectUri(grant: CodeGrant, form: Form): void {
  const given = form.get('redirect_uri');
  if (given === undefined) {
    if (grant.redirectUriGiven) throw invalidRequest('redirect_uri is required: the authorization request named one');
    return;
  }
  if (given !== grant.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
}

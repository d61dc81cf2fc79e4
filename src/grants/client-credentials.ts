import type { GrantHandler } from './types';
import { invalidScope, unauthorizedClient } from '../errors';
import { DCR_SCOPE, parseScope, requireAllowed } from '../oauth/scopes';
import { issueAccessToken, tokenTypeOf } from '../tokens/access-token';
import { isPublicClient } from '../oauth/client';
import { recordIatIssued } from './iat-issued';

/**
 * RFC 6749 4.4. Asking for `dcr` (alone) yields an initial access token: short-lived, single-use at
 * registration, and granted only to a client that some enabled template lets register instances (or, with
 * non-templatized registration on, a static client flagged for it).
 */
export const clientCredentialsGrant: GrantHandler = {
  async issue(deps, client, form, _user, dpopJkt) {
    // A public client proved nothing by naming itself: it cannot act on its own behalf.
    if (!client.capabilities.includes('client_credentials') || isPublicClient(client)) {
      throw unauthorizedClient('this client may not use the client_credentials grant');
    }
    const requestedScope = form.get('scope');
    const requested = requestedScope === undefined ? client.scopes : parseScope(requestedScope);

    let ttlSeconds = client.accessTokenTtl;
    const initialAccessToken = requested.includes(DCR_SCOPE);
    if (initialAccessToken) {
      if (requested.length > 1) throw invalidScope(`"${DCR_SCOPE}" must be requested alone`);
      if (!client.registers.instances && !(deps.settings.dcrNonTemplatized && client.registers.withoutTemplate)) {
        throw invalidScope(`this client may not register clients (no enabled template allows it), so "${DCR_SCOPE}" is not allowed`);
      }
      ttlSeconds = deps.settings.iatTtlSeconds;
      const about = { clientId: client.clientId };
      await deps.limits.enforce('iat_issuance', client.clientId, 'initial access tokens for this client', about);
    } else {
      requireAllowed(requested, client.scopes);
    }

    const scope = requested.join(' ');
    // Its own grant, so that revoking the token (RFC 7009) has a grant to mark.
    const grantId = deps.ledger.newGrantId();
    const { token, claims } = await issueAccessToken(deps.keys, {
      issuer: deps.issuer,
      clientId: client.clientId,
      subject: client.clientId,
      scope,
      ttlSeconds,
      now: deps.now,
      grantId,
      tokenId: deps.ledger.newTokenId(grantId),
      ...(dpopJkt === undefined ? {} : { jkt: dpopJkt }),
    });
    if (initialAccessToken) recordIatIssued(deps.audit, claims);
    return { access_token: token, ...(scope ? { scope } : {}), token_type: tokenTypeOf(claims), expires_in: ttlSeconds };
  },
};

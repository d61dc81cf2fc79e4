import type { GrantHandler } from './types';
import { invalidScope, unauthorizedClient } from '../oauth/errors';
import { DCR_SCOPE, parseScope, requireAllowed } from '../oauth/scopes';
import { mayRegisterClients } from '../storage/templates';
import { issueAccessToken } from '../tokens/access-token';
import { newFamilyId } from '../oauth/refresh-tokens';

/**
 * RFC 6749 4.4. Asking for `dcr` (alone) yields an initial access token: short-lived, single-use at
 * registration, and granted only to a client that some enabled template lets register instances.
 */
export const clientCredentialsGrant: GrantHandler = async (deps, client, form) => {
  if (!client.capabilities.includes('client_credentials')) {
    throw unauthorizedClient('this client may not use the client_credentials grant');
  }
  const requestedScope = form.get('scope');
  const requested = requestedScope === undefined ? client.scopes : parseScope(requestedScope);

  let ttlSeconds = client.accessTokenTtl;
  if (requested.includes(DCR_SCOPE)) {
    if (requested.length > 1) throw invalidScope(`"${DCR_SCOPE}" must be requested alone`);
    if (!(await mayRegisterClients(deps.db, client.clientId, deps.settings.dcrNonTemplatized))) {
      throw invalidScope(`this client may not register clients (no enabled template allows it), so "${DCR_SCOPE}" is not allowed`);
    }
    ttlSeconds = deps.settings.iatTtlSeconds;
  } else {
    requireAllowed(requested, client.scopes);
  }

  const scope = requested.join(' ');
  const { token } = await issueAccessToken(deps.keys, {
    issuer: deps.issuer,
    clientId: client.clientId,
    subject: client.clientId,
    scope,
    ttlSeconds,
    now: deps.now,
    // Its own grant, so that revoking the token (RFC 7009) has a family to mark.
    familyId: newFamilyId(),
  });
  return { access_token: token, ...(scope ? { scope } : {}), token_type: 'bearer', expires_in: ttlSeconds };
};

import type { GrantDeps, TokenResponse } from './types';
import type { Client } from '../oauth/client';
import type { FamilyGrant } from '../grant-rules';
import type { Lifetimes } from '../oauth/refresh-tokens';
import { issueAccessToken, tokenTypeOf } from '../tokens/access-token';
import { DCR_SCOPE } from '../oauth/scopes';
import { issueIdToken } from '../tokens/id-token';
import { recordIatIssued } from './iat-issued';
import { amrOf } from '../users/authenticate';

/** Default refresh token lifetime for a client whose metadata names none (static clients). */
const DEFAULT_REFRESH_TTL_SECONDS = 3600;

export const lifetimesOf = (client: Client, now: number): Lifetimes => ({
  now,
  refreshTtlSeconds: client.refreshTokenTtl ?? DEFAULT_REFRESH_TTL_SECONDS,
  accessTtlSeconds: client.accessTokenTtl,
});

/**
 * The token response of a user grant: an access token of the grant, an ID token when `openid` was granted, and the
 * refresh token the caller minted (if any).
 */
export async function userTokenResponse(
  deps: GrantDeps,
  client: Client,
  input: {
    grant: Pick<FamilyGrant, 'authTime' | 'acr' | 'resource'>;
    /** The `sub` the client knows the user by (src/oauth/subjects.ts). */
    sub: string;
    /** The user's claims the grant's claims parameter asked for in the ID token. */
    idTokenClaims?: Record<string, unknown>;
    scope: string[];
    grantId: string;
    nonce?: string;
    refreshToken: string | null;
    /** The DPoP key the access token is bound to. */
    jkt?: string;
  },
): Promise<TokenResponse> {
  const scope = input.scope.join(' ');
  // With `dcr` the access token is an initial access token for user-authenticated registration: IAT lifetime.
  const ttlSeconds = input.scope.includes(DCR_SCOPE) ? deps.settings.iatTtlSeconds : client.accessTokenTtl;
  const { token, claims } = await issueAccessToken(deps.keys, {
    issuer: deps.issuer,
    // RFC 8707: a token for a resource is for that resource alone; without one, for this server.
    audience: input.grant.resource ?? deps.issuer,
    clientId: client.clientId,
    subject: input.sub,
    scope,
    ttlSeconds,
    now: deps.now,
    grantId: input.grantId,
    tokenId: deps.ledger.newTokenId(input.grantId),
    ...(input.jkt === undefined ? {} : { jkt: input.jkt }),
  });
  if (input.scope.includes(DCR_SCOPE)) recordIatIssued(deps.audit, claims);
  const idToken = input.scope.includes('openid')
    ? await issueIdToken(deps.keys, {
        issuer: deps.issuer,
        clientId: client.clientId,
        sub: input.sub,
        alg: client.idTokenAlg,
        ttlSeconds: client.accessTokenTtl,
        now: deps.now,
        authTime: input.grant.authTime,
        acr: input.grant.acr,
        amr: amrOf(input.grant.acr),
        ...(input.idTokenClaims === undefined ? {} : { claims: input.idTokenClaims }),
        ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
        accessToken: token,
      })
    : undefined;
  return {
    access_token: token,
    token_type: tokenTypeOf(claims),
    expires_in: ttlSeconds,
    scope,
    ...(input.refreshToken ? { refresh_token: input.refreshToken } : {}),
    ...(idToken ? { id_token: idToken } : {}),
  };
}

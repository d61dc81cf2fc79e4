import type { AuthorizationRequest } from './authorization-request';
import { claimsBeyondScopes } from '../users/claims';

type Asked = Pick<AuthorizationRequest, 'scope' | 'claims'>;

/** The claims a request asks for by name (the claims parameter) beyond those its scopes release. */
export const claimsToApprove = (request: Asked): string[] => [
  ...new Set(claimsBeyondScopes([...(request.claims?.userinfo ?? []), ...(request.claims?.id_token ?? [])], request.scope)),
];

/**
 * What a user approves for an unverified client, and its consent remembers with the scopes: the scopes, and
 * `claim:<name>` for each claim asked for beyond them.
 */
export const approvalsOf = (request: Asked): string[] => [...request.scope, ...claimsToApprove(request).map((name) => `claim:${name}`)];

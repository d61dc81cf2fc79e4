import type { AuditRecorder } from '../audit/recorder';
import { issuedForUser, type AccessTokenClaims } from '../tokens/access-token';

/** An initial access token was issued: to a registrar by client_credentials, or to a user signing in for `dcr`. */
export function recordIatIssued(audit: AuditRecorder, claims: AccessTokenClaims): void {
  const byUser = issuedForUser(claims);
  audit.record('initial_access_token.issued', {
    clientId: claims.client_id,
    subject: byUser ? claims.sub : null,
    details: { jti: claims.jti, mode: byUser ? 'users' : 'clients', expires_at: new Date(claims.exp * 1000).toISOString() },
  });
}

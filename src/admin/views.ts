import type { AuditEvent, StoredAuditEvent, StoredClient, StoredTemplate, StoredUser } from '../model';
import type { Settings } from '../env';

/** How the admin API shows stored things: configuration first, bookkeeping after, times in ISO 8601. */

export const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const templateView = (t: StoredTemplate) => ({
  ...t.config,
  version: t.version,
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});

/** Stored clients: metadata-document clients are never stored, so never shown. */
export function clientView(client: Exclude<StoredClient, { kind: 'metadata_document' }>) {
  const times = { issued_at: iso(client.issuedAt), last_used_at: isoOrNull(client.lastUsedAt) };
  if (client.kind === 'static') return { client_id: client.clientId, ...client.config, ...times };
  // `open`: open registration, recorded with a keyed hash of the registering IP (never the address).
  const provenance = {
    created_by: client.createdByIat === null ? 'open' : 'initial_access_token',
    created_by_client: client.createdByClient,
    created_by_user: client.createdByUser,
    created_by_iat: client.createdByIat,
    ...(client.createdByIpHash === null ? {} : { created_by_ip_hash: client.createdByIpHash }),
  };
  if (client.kind === 'dynamic') return { client_id: client.clientId, ...client.config, ...times, ...provenance };
  return { client_id: client.clientId, template: client.templateName, ...client.choices, ...times, ...provenance };
}

/** Password hashes are never shown. */
export const userView = (user: StoredUser) => ({
  username: user.username,
  sub: user.subject,
  claims: user.claims,
  created_at: iso(user.createdAt),
  updated_at: iso(user.updatedAt),
});

/** The deployment settings in force, named like the rest of the admin API. */
export const settingsView = (s: Settings) => ({
  dcr_enabled: s.dcrEnabled,
  dcr_templatized: s.dcrTemplatized,
  dcr_non_templatized: s.dcrNonTemplatized,
  dcr_dynamic_scopes: s.dynamicClientScopes,
  dcr_open_template: s.openTemplate,
  issuer: s.issuer,
  iat_ttl: s.iatTtlSeconds,
  access_token_ttl: s.accessTokenTtlSeconds,
  client_cache_seconds: s.clientCacheSeconds,
  d1_read_replicas: s.readReplicas,
  ledger_shards: s.ledgerShards,
  audit_retention_days: s.auditRetentionDays,
  login_max_failures: s.loginLockout.maxFailures,
  login_lockout_seconds: s.loginLockout.lockoutSeconds,
  login_lockout_max_seconds: s.loginLockout.maxLockoutSeconds,
});

/** An audit event, in the admin API and in its log line alike (without the id until it is stored). */
export const auditEventView = (event: AuditEvent | StoredAuditEvent) => ({
  ...('id' in event ? { id: event.id } : {}),
  type: event.type,
  time: iso(event.at),
  request_id: event.requestId,
  client_id: event.clientId,
  template: event.template,
  user: event.username,
  subject: event.subject,
  ip: event.ip,
  details: event.details,
});

import type {
  AuditEventType,
  LoginFailures,
  StoredAuditEvent,
  StoredClient,
  StoredTemplate,
  StoredUser,
  TemplateConfig,
} from '../../model';

/** Rows as D1 returns them, and their translation to the domain model. JSON columns are parsed here only. */

export interface TemplateRow {
  name: string;
  config: string;
  enabled: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface ClientRow {
  client_id: string;
  kind: 'static' | 'instance' | 'dynamic';
  template_name: string | null;
  secret_hash: string | null;
  config: string;
  created_by_iat: string | null;
  created_by_client: string | null;
  created_by_user: string | null;
  issued_at: number;
  registration_token_hash: string | null;
  last_used_at: number | null;
  created_by_ip_hash: string | null;
}

export interface UserRow {
  username: string;
  subject: string;
  password_hash: string;
  claims: string;
  created_at: number;
  updated_at: number;
}

export function templateFromRow(row: TemplateRow): StoredTemplate {
  return {
    config: { ...JSON.parse(row.config), name: row.name, enabled: row.enabled === 1 },
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** name and enabled live in their own columns (keys and filters); the rest is one JSON document. */
export function templateDocument(config: TemplateConfig): string {
  const { name: _name, enabled: _enabled, ...rest } = config;
  return JSON.stringify(rest);
}

export function clientFromRow(row: ClientRow): StoredClient {
  const identity = { clientId: row.client_id, secretHash: row.secret_hash, issuedAt: row.issued_at, lastUsedAt: row.last_used_at };
  if (row.kind === 'static') return { kind: 'static', ...identity, config: JSON.parse(row.config) };
  const provenance = {
    createdByIat: row.created_by_iat,
    createdByClient: row.created_by_client,
    createdByUser: row.created_by_user,
    createdByIpHash: row.created_by_ip_hash,
    registrationTokenHash: row.registration_token_hash!,
  };
  if (row.kind === 'dynamic') return { kind: 'dynamic', ...identity, ...provenance, config: JSON.parse(row.config) };
  return { kind: 'instance', ...identity, ...provenance, templateName: row.template_name!, choices: JSON.parse(row.config) };
}

export interface LoginFailuresRow {
  username: string;
  failures: number;
  last_failed_at: number;
  locked_until: number | null;
}

export const loginFailuresFromRow = (row: LoginFailuresRow): LoginFailures => ({
  failures: row.failures,
  lastFailedAt: row.last_failed_at,
  lockedUntil: row.locked_until,
});

export const userFromRow = (row: UserRow): StoredUser => ({
  username: row.username,
  subject: row.subject,
  passwordHash: row.password_hash,
  claims: JSON.parse(row.claims),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface AuditRow {
  id: number;
  at: number;
  type: AuditEventType;
  request_id: string;
  client_id: string | null;
  template: string | null;
  username: string | null;
  subject: string | null;
  ip: string | null;
  details: string;
}

export const auditEventFromRow = (row: AuditRow): StoredAuditEvent => ({
  id: row.id,
  at: row.at,
  type: row.type,
  requestId: row.request_id,
  clientId: row.client_id,
  template: row.template,
  username: row.username,
  subject: row.subject,
  ip: row.ip,
  details: JSON.parse(row.details),
});

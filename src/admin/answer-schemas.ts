import { z } from 'zod';
import { claimsSchema } from '../users/schemas';
import { AUDIT_EVENT_TYPES } from '../model';

/**
 * What the admin API answers besides the resources themselves, and the bookkeeping each resource shows next to its
 * configuration. The views (src/admin/views.ts) are typed against these; the OpenAPI document is made of them.
 */

const time = z.iso.datetime();

export const settingsAnswer = z.object({
  dcr_enabled: z.boolean(),
  dcr_templatized: z.boolean(),
  dcr_non_templatized: z.boolean(),
  dcr_dynamic_scopes: z.array(z.string()),
  dcr_open_template: z.string().nullable(),
  issuer: z.string().nullable(),
  iat_ttl: z.number().int(),
  access_token_ttl: z.number().int(),
  client_cache_seconds: z.number().int(),
  d1_read_replicas: z.boolean(),
  ledger_shards: z.number().int(),
  access_team_domain: z.string().nullable(),
  access_aud: z.string().nullable(),
  audit_retention_days: z.number().int(),
  login_max_failures: z.number().int(),
  login_lockout_seconds: z.number().int(),
  login_lockout_max_seconds: z.number().int(),
  dpop_nonce_required: z.boolean(),
  require_par: z.boolean(),
});

/** Shown with a template; sent back in a PUT they must say what is stored. */
export const templateBookkeeping = z.object({ version: z.number().int(), created_at: time, updated_at: time });
/** `last_used_at` changes by use, not by an admin: a PUT may send any value, it is ignored. */
export const clientBookkeeping = z.object({ issued_at: time, last_used_at: time.nullable() });
export const userBookkeeping = z.object({ sub: z.string(), created_at: time, updated_at: time });

export const userAnswer = z.object({ username: z.string(), claims: claimsSchema }).extend(userBookkeeping.shape);

export const instanceAnswer = z
  .object({
    client_id: z.string(),
    template: z.string(),
    client_name: z.string().optional(),
    redirect_uris: z.array(z.string()).optional(),
    token_endpoint_auth_method: z.string().optional(),
    /** Its own keys, for private_key_jwt and request objects. */
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
    jwks_uri: z.string().optional(),
    token_endpoint_auth_signing_alg: z.string().optional(),
    request_object_signing_alg: z.string().optional(),
    /** `open`: by open registration, without an initial access token. */
    created_by: z.enum(['initial_access_token', 'open']),
    created_by_client: z.string().nullable(),
    created_by_user: z.string().nullable(),
    created_by_iat: z.string().nullable(),
    /** Open registration: a keyed hash of the registering address (never the address). */
    created_by_ip_hash: z.string().optional(),
  })
  .extend(clientBookkeeping.shape);

export const historyAnswer = z.object({
  /** The version the change made; null for a deletion. */
  version: z.number().int().nullable(),
  changed_at: time,
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
});

export const revokedAnswer = z.object({ revoked: z.number().int() });
export const rotatedAnswer = z.object({ rotated: z.array(z.object({ client_id: z.string(), client_secret: z.string() })) });
export const errorAnswer = z.object({ error: z.string(), error_description: z.string() });

/** An audit event as GET /admin/v1/audit shows it (and its log line, without the id). */
export const auditEventAnswer = z.object({
  id: z.number().int().optional(),
  type: z.enum(AUDIT_EVENT_TYPES),
  time,
  request_id: z.string(),
  client_id: z.string().nullable(),
  template: z.string().nullable(),
  user: z.string().nullable(),
  subject: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const auditPageAnswer = z.object({ items: z.array(auditEventAnswer), next_cursor: z.string().nullable() });

import type { StoredTemplate } from '../storage/templates';
import type { StoredClient } from '../storage/clients';

/** How the admin API shows stored things: configuration first, bookkeeping after, times in ISO 8601. */

export const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const templateView = (t: StoredTemplate) => ({
  ...t.config,
  version: t.version,
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});

export function clientView(client: StoredClient) {
  if (client.kind === 'static') {
    return {
      client_id: client.clientId,
      ...client.config,
      issued_at: iso(client.issuedAt),
      last_used_at: isoOrNull(client.lastUsedAt),
    };
  }
  return {
    client_id: client.clientId,
    template: client.templateName,
    ...client.choices,
    issued_at: iso(client.issuedAt),
    created_by_client: client.createdByClient,
    created_by_iat: client.createdByIat,
    last_used_at: isoOrNull(client.lastUsedAt),
  };
}

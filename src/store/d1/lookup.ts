import { NO_REGISTRAR_ROLES, type StoredTemplate } from '../../model';
import type { ClientRecord, Lookup, LookupRequest } from '../store';
import {
  clientFromRow,
  loginFailuresFromRow,
  templateFromRow,
  userFromRow,
  type ClientRow,
  type LoginFailuresRow,
  type TemplateRow,
  type UserRow,
} from './rows';

/**
 * The reads a request needs before it can decide anything, folded into one round trip: the client, its template as
 * it is now, its registrar roles (from the relational registrar index, joined to enabled templates), the user the
 * request names and that user's consent to the client, and for an https client id the template that allows its host. docs/architecture.md counts these waves per endpoint.
 */

const CLIENT_WITH_TEMPLATE = `
  SELECT c.*, t.config AS t_config, t.enabled AS t_enabled, t.version AS t_version,
         t.created_at AS t_created_at, t.updated_at AS t_updated_at,
         EXISTS (SELECT 1 FROM template_registrars r JOIN templates rt ON rt.name = r.template_name
                 WHERE r.client_id = c.client_id AND r.mode = 'clients' AND rt.enabled = 1) AS registers_by_clients,
         EXISTS (SELECT 1 FROM template_registrars r JOIN templates rt ON rt.name = r.template_name
                 WHERE r.client_id = c.client_id AND r.mode = 'users' AND rt.enabled = 1) AS registers_by_users
  FROM clients c LEFT JOIN templates t ON t.name = c.template_name
  WHERE c.client_id = ?`;

type JoinedRow = ClientRow & {
  t_config: string | null;
  t_enabled: number;
  t_version: number;
  t_created_at: number;
  t_updated_at: number;
  registers_by_clients: number;
  registers_by_users: number;
};

function recordFromRow(row: JoinedRow): Lookup['client'] {
  const template =
    row.template_name === null || row.t_config === null
      ? null
      : templateFromRow({
          name: row.template_name,
          config: row.t_config,
          enabled: row.t_enabled,
          version: row.t_version,
          created_at: row.t_created_at,
          updated_at: row.t_updated_at,
        });
  return {
    client: clientFromRow(row),
    template,
    registrarRoles: { clients: row.registers_by_clients === 1, users: row.registers_by_users === 1 },
  };
}

/**
 * The enabled template whose metadata_document registration allows a host (the first by name, if several do), found
 * through the document-host index that template writes keep in step (src/store/d1/templates.ts).
 */
const METADATA_DOCUMENT_TEMPLATE = `
  SELECT t.* FROM template_document_hosts h JOIN templates t ON t.name = h.template_name
  WHERE h.host = ? AND t.enabled = 1
  ORDER BY t.name LIMIT 1`;

type Row = JoinedRow | UserRow | TemplateRow | LoginFailuresRow | { scopes: string };

export async function lookUp(db: D1Database | D1DatabaseSession, request: LookupRequest): Promise<Lookup> {
  const { clientId, userSubject, username } = request;
  const statements: Partial<Record<'client' | 'user' | 'consent' | 'failures' | 'template', D1PreparedStatement>> = {
    client: db.prepare(CLIENT_WITH_TEMPLATE).bind(clientId),
  };
  if (userSubject !== undefined) {
    statements.user = db.prepare('SELECT * FROM users WHERE subject = ?').bind(userSubject);
    if (request.consent)
      statements.consent = db.prepare('SELECT scopes FROM consents WHERE subject = ? AND client_id = ?').bind(userSubject, clientId);
  } else if (username !== undefined) {
    statements.user = db.prepare('SELECT * FROM users WHERE username = ?').bind(username);
    // A login: the username's failed sign-ins too, whether or not the user exists.
    statements.failures = db.prepare('SELECT * FROM login_failures WHERE username = ?').bind(username);
    if (request.consent) {
      statements.consent = db
        .prepare('SELECT c.scopes FROM consents c JOIN users u ON u.subject = c.subject WHERE u.username = ? AND c.client_id = ?')
        .bind(username, clientId);
    }
  }
  if (request.metadataDocumentHost !== undefined)
    statements.template = db.prepare(METADATA_DOCUMENT_TEMPLATE).bind(request.metadataDocumentHost);

  const names = Object.keys(statements) as (keyof typeof statements)[];
  const results =
    names.length === 1
      ? [{ results: [await statements.client!.first<Row>()].filter(Boolean) }]
      : await db.batch<Row>(names.map((n) => statements[n]!));
  const first = <T>(name: keyof typeof statements) => results[names.indexOf(name)]?.results[0] as T | undefined;

  const clientRow = first<JoinedRow>('client');
  const templateRow = first<TemplateRow>('template');
  const userRow = first<UserRow>('user');
  const consentRow = first<{ scopes: string }>('consent');
  const failuresRow = first<LoginFailuresRow>('failures');
  return {
    client: clientRow ? recordFromRow(clientRow) : templateRow ? metadataDocumentRecord(clientId, templateFromRow(templateRow)) : null,
    user: userRow ? userFromRow(userRow) : null,
    consent: consentRow ? { scopes: consentRow.scopes.split(' ').filter(Boolean) } : null,
    loginFailures: failuresRow ? loginFailuresFromRow(failuresRow) : null,
  };
}

/** A metadata-document client as the store knows it: its id and its template, nothing stored (src/model.ts). */
function metadataDocumentRecord(clientId: string, template: StoredTemplate): ClientRecord {
  return {
    client: { kind: 'metadata_document', clientId, secretHash: null, issuedAt: 0, lastUsedAt: null, templateName: template.config.name },
    template,
    registrarRoles: NO_REGISTRAR_ROLES,
  };
}

import type { Lookup, LookupRequest } from '../store';
import {
  clientFromRow,
  loginFailuresFromRow,
  templateFromRow,
  userFromRow,
  type ClientRow,
  type LoginFailuresRow,
  type UserRow,
} from './rows';

/**
 * The reads a request needs before it can decide anything, folded into one round trip: the client, its template as
 * it is now, its registrar roles (from the relational registrar index, joined to enabled templates), and the user
 * the request names. docs/architecture.md counts these waves per endpoint.
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

export async function lookUp(db: D1Database | D1DatabaseSession, request: LookupRequest): Promise<Lookup> {
  const client = db.prepare(CLIENT_WITH_TEMPLATE).bind(request.clientId);
  const user =
    request.userSubject !== undefined
      ? db.prepare('SELECT * FROM users WHERE subject = ?').bind(request.userSubject)
      : request.username !== undefined
        ? db.prepare('SELECT * FROM users WHERE username = ?').bind(request.username)
        : null;
  if (!user) {
    const row = await client.first<JoinedRow>();
    return { client: row ? recordFromRow(row) : null, user: null, loginFailures: null };
  }
  // A login: the username's failed sign-ins too, whether or not the user exists.
  const failures = request.username !== undefined && db.prepare('SELECT * FROM login_failures WHERE username = ?').bind(request.username);
  const [clients, users, failed] = await db.batch<JoinedRow | UserRow | LoginFailuresRow>(
    failures ? [client, user, failures] : [client, user],
  );
  const clientRow = clients!.results[0] as JoinedRow | undefined;
  const userRow = users!.results[0] as UserRow | undefined;
  const failuresRow = failed?.results[0] as LoginFailuresRow | undefined;
  return {
    client: clientRow ? recordFromRow(clientRow) : null,
    user: userRow ? userFromRow(userRow) : null,
    loginFailures: failuresRow ? loginFailuresFromRow(failuresRow) : null,
  };
}

-- Migration 0004: public clients of every kind (no secret: a template or static client that allows `none`), instances
-- made by open registration (no initial access token; a keyed hash of the registering IP instead), and the consents
-- users give to unverified clients. SQLite cannot change a table's CHECK constraints, so `clients` is rebuilt: the
-- old table is renamed, the new one made as schema.sql has it, the rows copied, the old table dropped. Nothing
-- references `clients`, and the running version's writes fit the new table (its checks are looser, its new column
-- is last and nullable).
PRAGMA defer_foreign_keys = true;

ALTER TABLE clients RENAME TO clients_before_0004;

CREATE TABLE clients (
  client_id          TEXT PRIMARY KEY,
  kind               TEXT NOT NULL CHECK (kind IN ('static', 'instance', 'dynamic')),
  template_name      TEXT REFERENCES templates (name) ON DELETE CASCADE,
  secret_hash        TEXT,               -- hex SHA-256 of the client secret; NULL for a public client
  config             TEXT NOT NULL,      -- JSON: a static client's metadata, or an instance's own choices
  created_by_iat     TEXT UNIQUE,        -- jti of the initial access token that made the client: one client per IAT
  created_by_client  TEXT,               -- the client the IAT was issued to
  created_by_user    TEXT,               -- the user who logged in for it, when the template registers via users
  issued_at          INTEGER NOT NULL,   -- ms since epoch
  registration_token_hash TEXT,          -- RFC 7592 registration access token (SHA-256), registered clients only
  last_used_at       INTEGER,            -- last successful client authentication, ms since epoch
  created_by_ip_hash TEXT,               -- open registration: HMAC-SHA256 of the registering IP address
  CHECK ((kind = 'instance') = (template_name IS NOT NULL)),
  CHECK ((kind = 'static') = (registration_token_hash IS NULL)),
  CHECK (kind <> 'static' OR (created_by_iat IS NULL AND created_by_ip_hash IS NULL)),
  CHECK (kind = 'static' OR ((created_by_iat IS NULL) <> (created_by_ip_hash IS NULL)))
);

INSERT INTO clients (client_id, kind, template_name, secret_hash, config, created_by_iat, created_by_client, created_by_user,
                     issued_at, registration_token_hash, last_used_at)
  SELECT client_id, kind, template_name, secret_hash, config, created_by_iat, created_by_client, created_by_user,
         issued_at, registration_token_hash, last_used_at
  FROM clients_before_0004;

DROP TABLE clients_before_0004;

CREATE INDEX clients_by_template ON clients (template_name, issued_at);

-- What a user approved for an unverified client (open registration, metadata documents): asked once per user and
-- client, again only for scopes beyond these.
CREATE TABLE consents (
  subject     TEXT NOT NULL REFERENCES users (subject) ON DELETE CASCADE,
  client_id   TEXT NOT NULL,            -- an instance's id or a metadata document's URL (which has no row in clients)
  scopes      TEXT NOT NULL,            -- space-separated
  granted_at  INTEGER NOT NULL,         -- ms since epoch
  PRIMARY KEY (subject, client_id)
);

-- edge-dcr schema: the full current schema, for reading. The database itself is made by migrations/ (applied in
-- order by `wrangler d1 migrations apply`: `npm start` locally, `npm run setup` / `npm run deploy` remotely).
-- Kept equal to migrations/ by hand: test/migrations.test.ts applies every migration to an empty database and
-- this file to another, and fails if their schemas (sqlite_master, comments and spacing aside) differ. A schema
-- change is a new migration plus the same change here (new columns last, as ALTER TABLE ADD COLUMN puts them).
-- The end-to-end tests and the benchmark apply this file to their fresh in-memory databases. D1 enforces foreign keys.

-- A template client: the configuration every instance of it runs with, read live at each request.
CREATE TABLE IF NOT EXISTS templates (
  name        TEXT PRIMARY KEY,          -- the software_id instances are registered with
  config      TEXT NOT NULL,             -- JSON, validated by src/admin/schemas.ts
  enabled     INTEGER NOT NULL DEFAULT 1,
  version     INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL,          -- ms since epoch
  updated_at  INTEGER NOT NULL
);

-- Every change to a template, for the admin API's history view. Kept after the template is deleted.
CREATE TABLE IF NOT EXISTS template_history (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  version     INTEGER,                   -- the version this change produced; NULL for a deletion
  changed_at  INTEGER NOT NULL,          -- ms since epoch
  changes     TEXT NOT NULL              -- JSON: {"field": {"from": ..., "to": ...}}
);

CREATE INDEX IF NOT EXISTS template_history_by_name ON template_history (name, id);

-- Who may register instances of each template: the template's registration policy as rows, kept in step by every
-- template write (src/store/d1/templates.ts), so that the token endpoint asks "may this client register?" with a join.
CREATE TABLE IF NOT EXISTS template_registrars (
  template_name  TEXT NOT NULL REFERENCES templates (name) ON DELETE CASCADE,
  client_id      TEXT NOT NULL,            -- a static client
  mode           TEXT NOT NULL CHECK (mode IN ('clients', 'users')),  -- by client_credentials, or users logging in through it
  PRIMARY KEY (client_id, template_name)
);

CREATE INDEX IF NOT EXISTS template_registrars_by_template ON template_registrars (template_name);

-- Which hosts' client metadata documents each metadata_document template accepts, as rows, kept in step like the
-- registrar index, so that an https client id finds its template by index (migrations/0006).
CREATE TABLE IF NOT EXISTS template_document_hosts (
  host           TEXT NOT NULL,            -- an allowed host of a template in registration mode metadata_document
  template_name  TEXT NOT NULL REFERENCES templates (name) ON DELETE CASCADE,
  PRIMARY KEY (host, template_name)
);

CREATE INDEX IF NOT EXISTS template_document_hosts_by_template ON template_document_hosts (template_name);

-- Static clients (made by the admin), instances (templatized registration) and dynamic clients
-- (non-templatized registration). An instance stores only its own identity and credentials; the rest comes
-- from its template. Static and dynamic clients carry their own metadata. Any of them may be public (no secret).
CREATE TABLE IF NOT EXISTS clients (
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

-- Paged admin lists (migrations/0005): instances in issue order, static clients by kind, a template's instance count and last use.
CREATE INDEX IF NOT EXISTS clients_by_template ON clients (template_name, issued_at, client_id);
CREATE INDEX IF NOT EXISTS clients_by_kind ON clients (kind, client_id);
CREATE INDEX IF NOT EXISTS clients_by_template_last_use ON clients (template_name, last_used_at);

-- End users of the username/password authenticator.
CREATE TABLE IF NOT EXISTS users (
  username       TEXT PRIMARY KEY,
  subject        TEXT NOT NULL UNIQUE,  -- the opaque, never reused `sub` in tokens
  password_hash  TEXT NOT NULL,         -- pbkdf2-sha256$<iterations>$<salt>$<hash>, base64url
  claims         TEXT NOT NULL,         -- JSON object of OpenID Connect standard claims
  created_at     INTEGER NOT NULL,      -- ms since epoch
  updated_at     INTEGER NOT NULL
);

-- The audit trail (README "Operating"): written off the response path, swept past AUDIT_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS audit_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so a page cursor stays valid while old rows go
  at          INTEGER NOT NULL,                   -- ms since epoch
  type        TEXT NOT NULL,                      -- e.g. login.failed (AUDIT_EVENT_TYPES in src/model.ts)
  request_id  TEXT NOT NULL,                      -- the request's log lines carry it too
  client_id   TEXT,
  template    TEXT,
  username    TEXT,
  subject     TEXT,                               -- a user's sub, where the username is not at hand
  ip          TEXT,
  details     TEXT NOT NULL                       -- JSON object
);

CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (at);
CREATE INDEX IF NOT EXISTS audit_events_by_type ON audit_events (type, at);
CREATE INDEX IF NOT EXISTS audit_events_by_client ON audit_events (client_id, at);
CREATE INDEX IF NOT EXISTS audit_events_by_template ON audit_events (template, at);
CREATE INDEX IF NOT EXISTS audit_events_by_username ON audit_events (username, at);
CREATE INDEX IF NOT EXISTS audit_events_by_subject ON audit_events (subject, at);

-- Each signing key's first signature (signing_key.activated), kept whatever the audit retention.
CREATE TABLE IF NOT EXISTS signing_keys (
  kid              TEXT PRIMARY KEY,
  alg              TEXT NOT NULL,
  first_signed_at  INTEGER NOT NULL               -- ms since epoch
);

-- Failed sign-ins per submitted username, whether or not such a user exists (so that a lockout reveals nobody): read
-- with the user at login, before any password is checked (src/users/sign-in.ts). A row goes at the next successful
-- sign-in, or is swept by later failures once its last failure is old.
CREATE TABLE IF NOT EXISTS login_failures (
  username        TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,               -- in a row, without a success between
  last_failed_at  INTEGER NOT NULL,               -- ms since epoch
  locked_until    INTEGER                         -- ms since epoch; no sign-in is checked before it
);

CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures (last_failed_at);

-- What a user approved for an unverified client (open registration, metadata documents): asked once per user and
-- client, again only for scopes beyond these.
CREATE TABLE IF NOT EXISTS consents (
  subject     TEXT NOT NULL REFERENCES users (subject) ON DELETE CASCADE,
  client_id   TEXT NOT NULL,            -- an instance's id or a metadata document's URL (which has no row in clients)
  scopes      TEXT NOT NULL,            -- space-separated
  granted_at  INTEGER NOT NULL,         -- ms since epoch
  PRIMARY KEY (subject, client_id)
);

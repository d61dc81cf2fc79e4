-- Migration 0003: the audit trail (README "Operating"), the signing keys that have signed (so that a key's first use
-- is recorded once), and failed sign-ins per username (the lockout).
CREATE TABLE audit_events (
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

-- Newest first, by time or within each filter; swept by time (src/store/d1/audit.ts).
CREATE INDEX audit_events_by_time ON audit_events (at);
CREATE INDEX audit_events_by_type ON audit_events (type, at);
CREATE INDEX audit_events_by_client ON audit_events (client_id, at);
CREATE INDEX audit_events_by_template ON audit_events (template, at);
CREATE INDEX audit_events_by_username ON audit_events (username, at);
CREATE INDEX audit_events_by_subject ON audit_events (subject, at);

-- Each signing key's first signature (signing_key.activated), kept whatever the audit retention.
CREATE TABLE signing_keys (
  kid              TEXT PRIMARY KEY,
  alg              TEXT NOT NULL,
  first_signed_at  INTEGER NOT NULL               -- ms since epoch
);

-- Failed sign-ins per submitted username, whether or not such a user exists (so that a lockout reveals nobody): read
-- with the user at login, before any password is checked (src/users/lockout.ts). A row goes at the next successful
-- sign-in, or is swept by later failures once its last failure is old.
CREATE TABLE login_failures (
  username        TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,               -- in a row, without a success between
  last_failed_at  INTEGER NOT NULL,               -- ms since epoch
  locked_until    INTEGER                         -- ms since epoch; no sign-in is checked before it
);

CREATE INDEX login_failures_by_time ON login_failures (last_failed_at);

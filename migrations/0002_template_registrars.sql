-- Migration 0002: who may register instances of each template, as rows (the registrar index). Every template write
-- keeps it in step (src/store/d1/templates.ts); this backfills it from the templates that exist.
CREATE TABLE template_registrars (
  template_name  TEXT NOT NULL REFERENCES templates (name) ON DELETE CASCADE,
  client_id      TEXT NOT NULL,            -- a static client
  mode           TEXT NOT NULL CHECK (mode IN ('clients', 'users')),  -- by client_credentials, or users logging in through it
  PRIMARY KEY (client_id, template_name)
);

CREATE INDEX template_registrars_by_template ON template_registrars (template_name);

INSERT INTO template_registrars (template_name, client_id, mode)
  SELECT templates.name, registrar.value, json_extract(templates.config, '$.registration.mode')
  FROM templates, json_each(templates.config, '$.registration.allowed_clients') AS registrar
  WHERE json_extract(templates.config, '$.registration.mode') = 'clients';

INSERT INTO template_registrars (template_name, client_id, mode)
  SELECT templates.name, registrar.value, json_extract(templates.config, '$.registration.mode')
  FROM templates, json_each(templates.config, '$.registration.via_clients') AS registrar
  WHERE json_extract(templates.config, '$.registration.mode') = 'users';

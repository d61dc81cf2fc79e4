-- Migration 0006: which hosts' client metadata documents each template accepts, as rows (the document-host index),
-- so that a request naming an https client id finds its template with an index lookup instead of reading every
-- template's JSON. Every template write keeps it in step (src/store/d1/templates.ts); this backfills it.
CREATE TABLE template_document_hosts (
  host           TEXT NOT NULL,            -- an allowed host of a template in registration mode metadata_document
  template_name  TEXT NOT NULL REFERENCES templates (name) ON DELETE CASCADE,
  PRIMARY KEY (host, template_name)
);

CREATE INDEX template_document_hosts_by_template ON template_document_hosts (template_name);

INSERT INTO template_document_hosts (host, template_name)
  SELECT allowed.value, templates.name
  FROM templates, json_each(templates.config, '$.registration.allowed_hosts') AS allowed
  WHERE json_extract(templates.config, '$.registration.mode') = 'metadata_document';

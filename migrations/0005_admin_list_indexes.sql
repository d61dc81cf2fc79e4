-- Migration 0005: indexes for the admin API's and console's paged lists (src/store/d1/), so that a page costs the
-- rows it shows, also for a template with 100,000 instances.
-- Instances of a template in issue order, with client_id as the tie-breaker the page cursor carries.
DROP INDEX clients_by_template;
CREATE INDEX clients_by_template ON clients (template_name, issued_at, client_id);
-- Static clients (and counts per kind) without scanning every instance.
CREATE INDEX clients_by_kind ON clients (kind, client_id);
-- A template's instance count and last use, read from the index alone.
CREATE INDEX clients_by_template_last_use ON clients (template_name, last_used_at);

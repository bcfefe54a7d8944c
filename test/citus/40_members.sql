-- Citus (issue #14): row-level security for members through the coordinator.  Citus opens
-- its connections to the workers as the role that runs the statement, so member roles
-- need LOGIN (this cluster trusts localhost); invoice.distribute() has the member_read
-- policies test member_of(org_id), which reads the organisation's members shard on the
-- node of the row.
--
--   - a viewer reads its organisation's invoices and lines, and nothing of another's;
--   - an owner pays its organisation's invoice (invoice_pay runs as the extension's owner
--     on the node, the membership checked on the coordinator) and cannot pay another's
--     (P0002: another organisation's invoice answers as an unknown one);
--   - a viewer may not pay (42501).
\set ON_ERROR_STOP 1
\ir include/setup.sql

SELECT plan(9);

CREATE ROLE citus_owner_a LOGIN;
CREATE ROLE citus_viewer_a LOGIN;
GRANT USAGE ON SCHEMA invoice TO citus_owner_a, citus_viewer_a;
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO citus_owner_a, citus_viewer_a;
GRANT EXECUTE ON FUNCTION invoice.invoice_pay(text, cents, text, text) TO citus_owner_a, citus_viewer_a;

INSERT INTO invoice.orgs (org_id, name) VALUES ('cm-a', 'Members A'), ('cm-b', 'Members B');
INSERT INTO invoice.members (org_id, member, role) VALUES ('cm-a', 'citus_owner_a', 'owner'), ('cm-a', 'citus_viewer_a', 'viewer');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, tax_rate)
VALUES ('cm-a', 'cm-inv-a', '2024-01-01', '2024-02-01', '2024-02-01', 0),
       ('cm-b', 'cm-inv-b', '2024-01-01', '2024-02-01', '2024-02-01', 0);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('cm-a', 'cm-inv-a', 'a line', 1, 40), ('cm-b', 'cm-inv-b', 'b line', 1, 50);
SELECT FROM invoice.invoice_issue('cm-inv-a');
SELECT FROM invoice.invoice_issue('cm-inv-b');

SET ROLE citus_viewer_a;
SELECT is(pg_temp.value($$SELECT string_agg(id, ',' ORDER BY id) FROM invoice.invoices WHERE org_id IN ('cm-a', 'cm-b')$$), 'cm-inv-a',
          'a viewer reads its organisation''s invoices and not another''s (through the coordinator)');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices WHERE org_id = 'cm-b'$$), '0',
          '... not even by asking for the other organisation (a router query to its node)');
SELECT is(pg_temp.value($$SELECT string_agg(description, ',') FROM invoice.line_items WHERE org_id IN ('cm-a', 'cm-b')$$), 'a line',
          'the same for line items');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.orgs$$), '1', 'and organisations: it sees its own');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('cm-inv-a', '1.00', 'upi', 'cm-v-1')$$, '42501', NULL,
                       'a viewer may not pay -> 42501');
RESET ROLE;

SET ROLE citus_owner_a;
SELECT is(pg_temp.value($$SELECT (amount)::text FROM invoice.invoice_pay('cm-inv-a', '40.00', 'upi', 'cm-o-1')$$), '40.00',
          'an owner pays its organisation''s invoice through the coordinator');
SELECT is(pg_temp.value($$SELECT status::text FROM invoice.invoices WHERE org_id = 'cm-a' AND id = 'cm-inv-a'$$), 'paid',
          '... which it then reads as paid');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('cm-inv-b', '1.00', 'upi', 'cm-o-2')$$, 'P0002', NULL,
                       'another organisation''s invoice answers as an unknown one -> P0002');
RESET ROLE;
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.payments WHERE org_id = 'cm-b'$$), '0', 'nothing was paid on it');

SELECT * FROM finish();

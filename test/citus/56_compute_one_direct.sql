-- Citus (issue #14): the one-invoice recompute's direct write and read (src/amounts_write.c,
-- src/compute_one_read.c) on the organisations' nodes, where the trigger writes the shard of
-- invoices and reads the shards of its children.  A CHECK constraint added through the
-- coordinator reaches the shards and refuses the trigger's write there, with its name; a row
-- it accepts is written with the amounts invoice_compute finds; a payment in full makes the
-- invoice paid with its history.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(7);

INSERT INTO invoice.orgs (org_id, name) SELECT 'cdw-' || t, 'Citus direct write ' || t FROM unnest(ARRAY['a', 'b', 'c']) t;
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, tax_rate)
SELECT 'cdw-' || t, 'cdw-' || t, '2024-01-01', '2024-02-01', 'INR', 18 FROM unnest(ARRAY['a', 'b', 'c']) t;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('cdw-a', 'cdw-a', 'one', '10.00');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('cdw-b', 'cdw-b', 'one', '20.00');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('cdw-c', 'cdw-c', 'one', '30.00');
SELECT is(pg_temp.value($$SELECT string_agg(concat_ws('/', id, usage_amount, tax, total), ', ' ORDER BY id)
                            FROM invoice.invoices WHERE id LIKE 'cdw-%'$$),
          'cdw-a/10.00/1.80/11.80, cdw-b/20.00/3.60/23.60, cdw-c/30.00/5.40/35.40',
          'one line each, on the organisations'' nodes: the amounts written');

ALTER TABLE invoice.invoices ADD CONSTRAINT cdw_total_cap CHECK (org_id NOT LIKE 'cdw-%' OR total < '100.00');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                         VALUES ('cdw-a', 'cdw-a', 'too much', '90.00')$$,
                       '23514', NULL,
                       'a constraint added through the coordinator refuses the trigger''s write on the shard');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                         VALUES ('cdw-c', 'cdw-c', 'too much', '90.00')$$,
                       '23514', NULL, 'on the other organisation''s node too');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('cdw-b', 'cdw-b', 'two', '5.00');
ALTER TABLE invoice.invoices DROP CONSTRAINT cdw_total_cap;
SELECT is(pg_temp.value($$SELECT string_agg(concat_ws('/', id, usage_amount, tax, total), ', ' ORDER BY id)
                            FROM invoice.invoices WHERE id LIKE 'cdw-%'$$),
          'cdw-a/10.00/1.80/11.80, cdw-b/25.00/4.50/29.50, cdw-c/30.00/5.40/35.40',
          'the refused rows left nothing; the accepted one is written');
SELECT is(pg_temp.value($$SELECT concat_ws('/', usage_amount, tax, total) FROM invoice.invoice_compute('cdw-b')$$),
          '25.00/4.50/29.50', 'invoice_compute through the coordinator finds the same');

SELECT invoice.invoice_issue('cdw-c') \g /dev/null
INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
VALUES ('cdw-c', 'cdw-c', '35.40', 'upi', 'cdw-c-1');
SELECT is(pg_temp.value($$SELECT concat_ws('/', status, already_billed_amount, amount_due) FROM invoice.invoices WHERE id = 'cdw-c'$$),
          'paid/35.40/0.00', 'a payment in full on the shard: paid');
SELECT is(pg_temp.value($$SELECT string_agg(coalesce(from_status::text, '') || '>' || to_status, ',' ORDER BY history_id)
                            FROM invoice.status_history WHERE invoice_id = 'cdw-c'$$),
          '>draft,draft>pending,pending>paid', 'with its history');

SELECT * FROM finish();

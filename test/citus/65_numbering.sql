-- Citus (issue #14): numbers are taken on the coordinator, in invoice.number_series (a reference
-- table).  A transaction that first reads a reference table — its local copy on the
-- coordinator — then issues invoices on both workers works, the numbers gapless.  (README's
-- "cannot switch local execution status" limit was seen once and is not reproduced by this.)
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(3);

INSERT INTO invoice.orgs (org_id, name) SELECT 'cnum-' || g, 'Citus numbering ' || g FROM generate_series(1, 3) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency)
SELECT 'cnum-' || g, 'cnum-inv-' || g, 'CNM', '2025-01-01', '2025-02-01', '2025-02-01', 'USD' FROM generate_series(1, 3) g;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
SELECT 'cnum-' || g, 'cnum-inv-' || g, 'hosting', '10.00' FROM generate_series(1, 3) g;

BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL invoice.test_clock = '2025-03-01 12:00:00+00';
SELECT is(pg_temp.value($$SELECT count(*) > 0 FROM invoice.gst_rates$$), 'true',
          'a reference table read first, in the transaction (its local copy on the coordinator)');
SELECT is(pg_temp.issue_all(ARRAY['cnum-inv-1', 'cnum-inv-2', 'cnum-inv-3']),
          'CNM/2425/000001,CNM/2425/000002,CNM/2425/000003',
          'then three invoices on both workers issued in the same transaction: numbers gapless');
COMMIT;
SELECT is(pg_temp.value($$SELECT last_value FROM invoice.number_series WHERE series = 'CNM' AND fiscal_year = 2024$$), '3',
          'the series'' counter, on the coordinator, says 3');

SELECT * FROM finish();

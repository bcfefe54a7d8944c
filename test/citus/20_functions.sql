-- Citus (issue #14): the functions that write one organisation's invoices, through the
-- coordinator.  Each finds the invoice, checks access and locks it on the coordinator, then
-- runs its work on the node that holds the organisation (src/shards.c); invoice_issue takes
-- the number on the coordinator, where the series live (a reference table).
--
--   - invoice_compute: the amounts recomputed and stored on the node;
--   - invoice_issue: gapless numbers per series and financial year across organisations
--     on both workers, the invoice date from the coordinator's clock when it has none, the
--     due date from the payment terms, history;
--   - invoice_pay: a payment, idempotent on provider_ref, paid when nothing is left due,
--     overpayment refused (IV003), a paid invoice refused (IV005);
--   - a rolled-back issue gives its number back (gapless);
--   - invoice_summary: computed on the organisation's node.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(18);

DELETE FROM invoice.number_series WHERE series = 'CTF';
INSERT INTO invoice.orgs (org_id, name, payment_terms_days)
SELECT 'cf-' || g, 'Citus functions ' || g, 15 FROM generate_series(1, 6) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, tax_rate)
SELECT 'cf-' || g, 'cf-inv-' || g || '-' || k, 'CTF', '2024-01-01', '2024-02-01',
       CASE WHEN k = 3 THEN NULL ELSE timestamptz '2024-02-01' END, 18
  FROM generate_series(1, 6) g, generate_series(1, 3) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'hosting', 10, 12.5 FROM invoice.invoices WHERE org_id LIKE 'cf-%';

SELECT is(pg_temp.value($$SELECT (total)::text FROM invoice.invoice_compute('cf-inv-1-1')$$), '147.50',
          'invoice_compute(id): 10 × 12.50 + 18 % = 147.50, stored on the node');

-- Issue the January invoices of every organisation, in an order that alternates the workers
-- (pg_temp.issue_all, include/setup.sql: in a loop, README "Scale-out with Citus", "Limits").
SELECT is(pg_temp.issue_all(ARRAY(SELECT id FROM invoice.invoices WHERE org_id LIKE 'cf-%' AND id LIKE '%-1' ORDER BY org_id)),
          'CTF/2324/000001,CTF/2324/000002,CTF/2324/000003,CTF/2324/000004,CTF/2324/000005,CTF/2324/000006',
          'invoice_issue on six organisations over both workers: CTF/2324/000001 … 000006, gapless');
SELECT is(pg_temp.value($$SELECT (status, invoice_date, due_date, issued_at IS NOT NULL)::text
                          FROM invoice.invoices WHERE org_id = 'cf-2' AND id = 'cf-inv-2-1'$$),
          '(pending,"2024-02-01 00:00:00+00","2024-02-16 00:00:00+00",t)',
          '... pending, its own invoice date, due after the organisation''s 15 days of terms');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.status_history
                          WHERE org_id LIKE 'cf-%' AND from_status = 'draft' AND to_status = 'pending'$$), '6',
          '... one history row each');
SELECT is(pg_temp.value($$SELECT last_value FROM invoice.number_series WHERE series = 'CTF' AND fiscal_year = 2023$$), '6',
          'the series (a reference table) holds the last number taken');

-- An invoice without a date takes the coordinator's clock: the test clock here.
SET invoice.test_clock = '2027-04-01 00:00:00+00';
SELECT is(pg_temp.value($$SELECT (number, invoice_date)::text FROM invoice.invoice_issue('cf-inv-3-3')$$),
          '(CTF/2728/000001,"2027-04-01 00:00:00+00")',
          'an undated invoice: dated by the coordinator''s clock, numbered in that financial year');
RESET invoice.test_clock;

-- A rolled-back issue gives its number back.
BEGIN;
SELECT FROM invoice.invoice_issue('cf-inv-4-2');
ROLLBACK;
SELECT is(pg_temp.value($$SELECT (number)::text FROM invoice.invoice_issue('cf-inv-5-2')$$), 'CTF/2324/000007',
          'after an issue rolled back, the next issue takes the same number: no gap');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('cf-inv-5-2')$$, 'IV001', NULL,
                       'issuing an issued invoice -> IV001');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('cf-no-such')$$, 'P0002', NULL, 'an unknown id -> P0002');

-- Payments.
SELECT is(pg_temp.value($$SELECT (amount, method, provider_ref)::text
                          FROM invoice.invoice_pay('cf-inv-1-1', '100.00', 'card', 'cf-ch-1')$$),
          '(100.00,card,cf-ch-1)', 'invoice_pay: a payment on the node');
SELECT is(pg_temp.value($$SELECT count(*) FROM (SELECT invoice.invoice_pay('cf-inv-1-1', '100.00', 'card', 'cf-ch-1')) r$$),
          '1', 'the same provider_ref again returns it ...');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.payments WHERE org_id = 'cf-1'$$), '1',
          '... and records nothing more');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('cf-inv-1-1', '47.51', 'upi', 'cf-upi-2')$$, 'IV003', NULL,
                       'a paisa more than the 47.50 left -> IV003');
SELECT FROM invoice.invoice_pay('cf-inv-1-1', '47.50', 'upi', 'cf-upi-2');
SELECT is(pg_temp.value($$SELECT (status, amount_due, paid_at IS NOT NULL)::text FROM invoice.invoices
                          WHERE id = 'cf-inv-1-1' AND org_id = 'cf-1'$$),
          '(paid,0.00,t)', 'paying the rest: paid in the same transaction');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('cf-inv-1-1', '1.00', 'upi', 'cf-upi-3')$$, 'IV005', NULL,
                       'a paid invoice -> IV005');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('cf-inv-2-2', '1.00', 'upi', 'cf-upi-4')$$, 'IV005', NULL,
                       'a draft -> IV005');

-- The summary of an organisation, computed on its node.
SELECT is(pg_temp.value($$SELECT invoice.invoice_summary('cf-1')::jsonb #>> '{}'$$)::jsonb - 'byCurrency',
          '{"totalPaid": 14750, "totalPending": 0, "totalOverdue": 0, "paidCount": 1, "pendingCount": 0,
            "overdueCount": 0, "currency": "USD"}'::jsonb,
          'invoice_summary(org) through the coordinator: its paid invoice, counted on its node');
SELECT is(pg_temp.value($$SELECT invoice.invoice_summary('cf-no-such-org')::jsonb ->> 'paidCount'$$), '0',
          'an organisation without invoices: zero counts');

SELECT * FROM finish();
